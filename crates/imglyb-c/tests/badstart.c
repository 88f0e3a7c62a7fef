/*
 * A JVM start HotSpot refuses is reported as IMGLYB_RESULT_JVM_START_FAILED, and so is every
 * later start in the process (HotSpot allows one JNI_CreateJavaVM per process); nothing else
 * pretends a JVM runs.
 */
#include "support.h"

int main(void) {
    const char *bogus[] = {"-Xbogus-option"};
    FAILS(IMGLYB_RESULT_JVM_START_FAILED, imglyb_jvm_start(NULL, bogus, 1));
    FAILS(IMGLYB_RESULT_JVM_START_FAILED, imglyb_jvm_start(NULL, NULL, 0));
    CHECK(strstr(imglyb_last_error_message(), "new process") != NULL);
    JavaVM *vm = NULL;
    FAILS(IMGLYB_RESULT_JVM_NOT_STARTED, imglyb_jvm_javavm(&vm));
    printf("badstart: %d checks passed\n", checks_run);
    return 0;
}
