/*
 * Options the JVM refuses are found by a probe JVM in a subprocess before the one real start:
 * IMGLYB_RESULT_INVALID_ARGUMENT with the JVM's own message, no JVM pretends to run, and the
 * process can still start one with good options (HotSpot allows one JNI_CreateJavaVM per
 * process, which the probe never spends).
 */
#include "support.h"

int main(void) {
    const char *bogus[] = {"-Xbogus-option"};
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_jvm_start(NULL, bogus, 1));
    CHECK(strstr(imglyb_last_error_message(), "-Xbogus-option") != NULL);
    CHECK(strstr(imglyb_last_error_message(), "Unrecognized option") != NULL);
    JavaVM *vm = NULL;
    FAILS(IMGLYB_RESULT_JVM_NOT_STARTED, imglyb_jvm_javavm(&vm));
    const char *conflicting[] = {"-XX:+UseG1GC", "-XX:+UseSerialGC"};
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_jvm_start(NULL, conflicting, 2));
    OK(imglyb_jvm_start(NULL, NULL, 0));
    OK(imglyb_jvm_javavm(&vm));
    CHECK(vm != NULL);
    printf("badstart: %d checks passed\n", checks_run);
    return 0;
}
