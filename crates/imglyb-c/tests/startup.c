/*
 * Start-up failures are reported, not fatal, and leave the process able to start later:
 * no Java anywhere (JVM_NOT_FOUND, listing what was searched), then Java without ImgLib2 on
 * the classpath (IMGLYB_NOT_FOUND, before the one JVM of the process is spent), then a start
 * that works.
 */
#include "support.h"

int main(void) {
    const char *path = getenv("PATH");
    char *saved_path = path ? strdup(path) : NULL;
    const char *home = getenv("JAVA_HOME");
    char *saved_home = home ? strdup(home) : NULL;

    /* No Java: no JAVA_HOME, no java on PATH, no install folders. */
    unsetenv("JAVA_HOME");
    setenv("PATH", "/nonexistent", 1);
    setenv("IMGLYB_JAVA_SEARCH_DIRS", "/nonexistent/jvm", 1);
    FAILS(IMGLYB_RESULT_JVM_NOT_FOUND, imglyb_jvm_start(NULL, NULL, 0));
    CHECK(strstr(imglyb_last_error_message(), "/nonexistent/jvm") != NULL);
    CHECK(strstr(imglyb_last_error_message(), "JAVA_HOME") != NULL);
    float pixel = 0;
    const int64_t shape[] = {1};
    imglyb_array a = array_of(&pixel, IMGLYB_DTYPE_FLOAT32, 1, shape, NULL);
    jobject img = NULL;
    FAILS(IMGLYB_RESULT_JVM_NOT_FOUND, imglyb_wrap(&a, &img)); /* a wrap starts lazily */
    CHECK(img == NULL);

    /* Java, but no ImgLib2 on the classpath. */
    if (saved_path) setenv("PATH", saved_path, 1);
    if (saved_home) setenv("JAVA_HOME", saved_home, 1);
    unsetenv("IMGLYB_JAVA_SEARCH_DIRS");
    setenv("IMGLYB_SYSTEM_JARS", "0", 1);
    unsetenv("IMGLYB_CLASSPATH");
    FAILS(IMGLYB_RESULT_IMGLIB2_NOT_FOUND, imglyb_jvm_start(NULL, NULL, 0));
    CHECK(strstr(imglyb_last_error_message(), "libimglib2-java") != NULL);
    JavaVM *vm = NULL;
    FAILS(IMGLYB_RESULT_JVM_NOT_STARTED, imglyb_jvm_javavm(&vm));

    /* ImgLib2 given explicitly: the JVM starts now. */
    OK(imglyb_jvm_start("/usr/share/java/imglib2.jar", NULL, 0));
    OK(imglyb_jvm_javavm(&vm));
    OK(imglyb_wrap(&a, &img));
    OK(imglyb_image_free(img));
    free(saved_path);
    free(saved_home);
    printf("startup: %d checks passed\n", checks_run);
    return 0;
}
