/*
 * The release callback runs exactly once, on a Java thread, only after Java can no longer
 * reach the memory: not while the image's global reference or a view over it lives, not when
 * wrapping fails, and never twice.
 */
#include "support.h"

#include <pthread.h>
#include <stdint.h>

static atomic_int released[4];
static pthread_t main_thread;
static atomic_int released_on_main;

static void on_release(void *ctx) {
    atomic_int *counter = (atomic_int *)ctx;
    if (pthread_equal(pthread_self(), main_thread)) {
        atomic_fetch_add(&released_on_main, 1);
    }
    atomic_fetch_add(counter, 1);
}

static imglyb_array released_array(void *data, const int64_t *shape, int k) {
    imglyb_array a = array_of(data, IMGLYB_DTYPE_FLOAT32, 2, shape, NULL);
    a.release = on_release;
    a.release_ctx = &released[k];
    return a;
}

int main(void) {
    main_thread = pthread_self();
    OK(imglyb_jvm_start(NULL, NULL, 0));
    JNIEnv *env = test_env();
    const int64_t shape[] = {4, 4};

    /* 1. An image nothing else reaches: released once its reference is gone. */
    float *pixels = calloc(16, sizeof(float));
    imglyb_array a = released_array(pixels, shape, 0);
    jobject img = NULL;
    OK(imglyb_wrap(&a, &img));
    for (int i = 0; i < 5; i++) {
        collect_garbage(env);
    }
    CHECK(atomic_load(&released[0]) == 0); /* the reference still reaches it */
    const jlong pos[] = {1, 2};
    CHECK(write_real(env, img, pos, 2, 3.0) == NULL);
    CHECK(pixels[2 * 4 + 1] == 3.0f);
    OK(imglyb_image_free(img));
    CHECK(wait_for_count(env, &released[0], 1) == 1);
    for (int i = 0; i < 10; i++) {
        collect_garbage(env);
    }
    CHECK(atomic_load(&released[0]) == 1); /* exactly once */
    CHECK(atomic_load(&released_on_main) == 0);
    free(pixels);

    /* 2. A view keeps the memory: deleting the image's reference is not enough. */
    pixels = calloc(16, sizeof(float));
    a = released_array(pixels, shape, 1);
    OK(imglyb_wrap(&a, &img));
    jobject local_view = rotate(env, img, 0, 1);
    jobject view = (*env)->NewGlobalRef(env, local_view);
    (*env)->DeleteLocalRef(env, local_view);
    OK(imglyb_image_free(img));
    for (int i = 0; i < 20; i++) {
        collect_garbage(env);
    }
    CHECK(atomic_load(&released[1]) == 0);
    const jlong vpos[] = {0, 0}; /* rotate(0, 1): view(x, y) = img(y, -x) */
    CHECK(write_real(env, view, vpos, 2, 8.0) == NULL);
    CHECK(pixels[0] == 8.0f);
    (*env)->DeleteGlobalRef(env, view);
    CHECK(wait_for_count(env, &released[1], 1) == 1);
    free(pixels);

    /* 3. A failed wrap keeps nothing and never calls release. */
    float bad[4];
    const int64_t bad_strides[] = {3, 1}; /* not multiples of sizeof(float) */
    const int64_t bad_shape[] = {2, 2};
    a = released_array(bad, bad_shape, 2);
    a.strides = bad_strides;
    jobject none = NULL;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap(&a, &none));
    for (int i = 0; i < 10; i++) {
        collect_garbage(env);
    }
    CHECK(atomic_load(&released[2]) == 0);

    /* 4. NULL release is allowed; two images over the same buffer are independent. */
    pixels = calloc(16, sizeof(float));
    a = released_array(pixels, shape, 3);
    imglyb_array quiet = a;
    quiet.release = NULL;
    quiet.release_ctx = NULL;
    jobject one = NULL, two = NULL;
    OK(imglyb_wrap(&quiet, &one));
    OK(imglyb_wrap(&a, &two));
    OK(imglyb_image_free(two));
    CHECK(wait_for_count(env, &released[3], 1) == 1);
    CHECK(write_real(env, one, pos, 2, 5.0) == NULL); /* still valid through `one` */
    CHECK(pixels[2 * 4 + 1] == 5.0f);
    OK(imglyb_image_free(one));
    for (int i = 0; i < 10; i++) {
        collect_garbage(env);
    }
    CHECK(atomic_load(&released[3]) == 1);
    free(pixels);

    printf("release: %d checks passed\n", checks_run);
    return 0;
}
