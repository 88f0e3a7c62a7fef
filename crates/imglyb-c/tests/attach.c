/*
 * A host program that created the JVM itself through the Invocation API: imglyb_jvm_start
 * attaches to it (no second JVM), hands back the same JavaVM, and wraps memory in it.
 */
#include "support.h"

#include <dlfcn.h>

typedef jint (*create_vm_fn)(JavaVM **, void **, void *);

int main(void) {
    const char *home = getenv("JAVA_HOME");
    CHECK(home != NULL);
    char libjvm[4096];
    snprintf(libjvm, sizeof libjvm, "%s/lib/server/libjvm.so", home);
    void *lib = dlopen(libjvm, RTLD_NOW | RTLD_GLOBAL);
    CHECK(lib != NULL);
    create_vm_fn create;
    *(void **)&create = dlsym(lib, "JNI_CreateJavaVM");
    CHECK(create != NULL);

    /* The host's classpath: the one imglyb would ask for (IMGLYB_CLASSPATH when set, as in
     * ci/test's ImgLib2 8 run), so that attaching finds every requested entry in effect. */
    const char *cp = getenv("IMGLYB_CLASSPATH");
    char class_path[8192];
    snprintf(class_path, sizeof class_path, "-Djava.class.path=%s",
             cp != NULL && cp[0] != '\0' ? cp : "/usr/share/java/imglib2.jar");
    JavaVMOption options[] = {
        {.optionString = class_path},
        {.optionString = "-Xrs"},
        {.optionString = "-Xcheck:jni"},
    };
    JavaVMInitArgs args = {
        .version = JNI_VERSION_1_8,
        .nOptions = sizeof options / sizeof options[0],
        .options = options,
        .ignoreUnrecognized = JNI_FALSE,
    };
    JavaVM *own = NULL;
    JNIEnv *env = NULL;
    CHECK(create(&own, (void **)&env, &args) == JNI_OK);

    OK(imglyb_jvm_start(NULL, NULL, 0));
    JavaVM *vm = NULL;
    OK(imglyb_jvm_javavm(&vm));
    CHECK(vm == own);
    /* Options the host's JVM lacks cannot be added any more. */
    const char *more[] = {"-Dimglyb.never=set"};
    FAILS(IMGLYB_RESULT_JVM_ALREADY_STARTED, imglyb_jvm_start(NULL, more, 1));

    int16_t pixels[2][3] = {{1, 2, 3}, {4, 5, 6}};
    const int64_t shape[] = {2, 3};
    imglyb_array a = array_of(pixels, IMGLYB_DTYPE_INT16, 2, shape, NULL);
    jobject img = NULL;
    OK(imglyb_wrap(&a, &img));
    const jlong pos[] = {2, 1};
    CHECK(read_real(env, img, pos, 2) == 6.0);
    CHECK(write_real(env, img, pos, 2, -6.0) == NULL);
    CHECK(pixels[1][2] == -6);
    OK(imglyb_image_free(img));
    printf("attach: %d checks passed\n", checks_run);
    return 0;
}
