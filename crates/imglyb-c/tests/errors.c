/*
 * Bad input gets a result code and a message, out-parameters stay untouched, and nothing
 * crashes: NULLs, unknown dtypes, bad shapes and strides, calls before the JVM runs, and a
 * second start with settings that are not in effect.
 */
#include "support.h"

#include <stdint.h>

static jobject const SENTINEL = (jobject)(intptr_t)0x1234;

/* Before any JVM runs: nothing that needs one starts one by accident. */
static void before_start(void) {
    JavaVM *vm = (JavaVM *)SENTINEL;
    FAILS(IMGLYB_RESULT_JVM_NOT_STARTED, imglyb_jvm_javavm(&vm));
    CHECK(vm == (JavaVM *)SENTINEL);
    FAILS(IMGLYB_RESULT_JVM_NOT_STARTED, imglyb_image_free(SENTINEL));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_jvm_javavm(NULL));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_jvm_start(NULL, NULL, 2));
    const char *options[] = {"-Xmx256m", NULL};
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_jvm_start(NULL, options, 2));
    const char *not_utf8[] = {"-Dx=\xff\xfe"};
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_jvm_start(NULL, not_utf8, 1));
    CHECK(strstr(imglyb_last_error_message(), "UTF-8") != NULL);
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_jvm_start(NULL, (const char *[]){"Xmx1g"}, 1));
}

static void start(void) {
    const char *options[] = {"-Dimglyb.ctest=errors"};
    OK(imglyb_jvm_start(NULL, options, 1));
    CHECK(imglyb_last_error_message()[0] == '\0');
    /* Idempotent: the same settings again, or none, are fine... */
    OK(imglyb_jvm_start(NULL, options, 1));
    OK(imglyb_jvm_start(NULL, NULL, 0));
    /* ...settings that are not in effect are refused, naming them. */
    const char *other[] = {"-Dimglyb.ctest=other"};
    FAILS(IMGLYB_RESULT_JVM_ALREADY_STARTED, imglyb_jvm_start(NULL, other, 1));
    CHECK(strstr(imglyb_last_error_message(), "-Dimglyb.ctest=other") != NULL);
    FAILS(IMGLYB_RESULT_JVM_ALREADY_STARTED, imglyb_jvm_start("/no/such/dir", NULL, 0));
    JavaVM *vm = NULL;
    OK(imglyb_jvm_javavm(&vm));
    CHECK(vm != NULL);
}

static void bad_arrays(void) {
    float pixels[6] = {0};
    int64_t shape[] = {2, 3};
    int64_t strides[] = {12, 4};
    imglyb_array good = array_of(pixels, IMGLYB_DTYPE_FLOAT32, 2, shape, strides);

    jobject img = SENTINEL;
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_wrap(NULL, &img));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_wrap(&good, NULL));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_wrap_argb(NULL, &img));

    imglyb_array a = good;
    a.struct_size = 0; /* a zeroed struct, or a caller that did not set the size */
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    CHECK(strstr(imglyb_last_error_message(), "struct_size") != NULL);
    a.struct_size = sizeof a - 1;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    a.struct_size = sizeof a + 64; /* a newer header's struct: the fields imglyb knows are read */
    OK(imglyb_wrap(&a, &img));
    OK(imglyb_image_free(img));
    img = SENTINEL;
    a = good;
    a.dtype = (imglyb_dtype)0;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    CHECK(strstr(imglyb_last_error_message(), "dtype 0") != NULL);
    a.dtype = (imglyb_dtype)99;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));

    a = good;
    a.ndim = 0;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    a.ndim = 33;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    a = good;
    a.shape = NULL;
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_wrap(&a, &img));

    a = good;
    shape[0] = -2;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    CHECK(strstr(imglyb_last_error_message(), "shape[0]") != NULL);
    shape[0] = 2;

    strides[1] = 2; /* not a multiple of sizeof(float) */
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    CHECK(strstr(imglyb_last_error_message(), "not a multiple") != NULL);
    strides[1] = 4;

    a.data = NULL; /* six pixels at NULL */
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    a.data = pixels;

    /* A bool byte other than 0 or 1 in C is still just "true". */
    unsigned char *readonly_byte = (unsigned char *)&a.readonly;
    *readonly_byte = 7;
    jobject ro = NULL;
    OK(imglyb_wrap(&a, &ro));
    imglyb_array d;
    OK(imglyb_describe(ro, &d));
    CHECK(d.readonly);
    OK(imglyb_array_free(&d));
    OK(imglyb_image_free(ro));

    CHECK(img == SENTINEL); /* never written by a failed call */

    /* The good array does wrap; a success clears the message. */
    OK(imglyb_wrap(&good, &img));
    CHECK(img != SENTINEL && imglyb_last_error_message()[0] == '\0');

    imglyb_array out;
    memset(&out, 0, sizeof out);
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_describe(NULL, &out));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_describe(img, NULL));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_array_free(NULL));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_image_free(NULL));
    OK(imglyb_image_free(img));
}

/* An object that is not an image is refused, naming its class, and leaves no Java exception
 * pending on the caller's thread. */
static void not_an_image(void) {
    JNIEnv *env = test_env();
    jstring s = (*env)->NewStringUTF(env, "not an image");
    fail_on_exception(env, "NewStringUTF");
    imglyb_array out;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_describe(s, &out));
    CHECK(strstr(imglyb_last_error_message(), "java.lang.String") != NULL);
    /* imglyb_image_free deletes global references only; a local one is refused and kept. */
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_image_free(s));
    CHECK(strstr(imglyb_last_error_message(), "local") != NULL);
    CHECK((*env)->GetStringUTFLength(env, s) == 12);
    CHECK(!(*env)->ExceptionCheck(env)); /* nothing left pending on the caller's thread */
    (*env)->DeleteLocalRef(env, s);

    /* With a Java exception pending, imglyb refuses and leaves the exception to the caller. */
    float pixel = 1.0f;
    const int64_t shape[] = {1};
    imglyb_array a = array_of(&pixel, IMGLYB_DTYPE_FLOAT32, 1, shape, NULL);
    jclass rte = (*env)->FindClass(env, "java/lang/RuntimeException");
    fail_on_exception(env, "RuntimeException");
    CHECK((*env)->ThrowNew(env, rte, "pending") == 0);
    jobject img = SENTINEL;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &img));
    CHECK(strstr(imglyb_last_error_message(), "pending") != NULL);
    CHECK(img == SENTINEL);
    CHECK((*env)->ExceptionCheck(env));
    (*env)->ExceptionClear(env);
    (*env)->DeleteLocalRef(env, rte);
    OK(imglyb_wrap(&a, &img));
    OK(imglyb_image_free(img));
}

int main(void) {
    CHECK(strlen(imglyb_version()) > 0);
    CHECK(imglyb_last_error_message() != NULL);
    before_start();
    start();
    bad_arrays();
    not_an_image();
    printf("errors: %d checks passed\n", checks_run);
    return 0;
}
