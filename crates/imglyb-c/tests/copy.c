/*
 * Copies out of images C cannot address: a heap ArrayImg filled in Java, a rotated view of it,
 * and a wrapped strided image, each compared pixel by pixel with what Java reads.
 */
#include "support.h"

#include <stdint.h>

static void fill(JNIEnv *env, jobject img, jlong w, jlong h) {
    for (jlong y = 0; y < h; y++)
        for (jlong x = 0; x < w; x++) {
            const jlong pos[] = {x, y};
            CHECK(write_real(env, img, pos, 2, (double)(10 * y + x)) == NULL);
        }
}

int main(void) {
    OK(imglyb_jvm_start(NULL, NULL, 0));
    JNIEnv *env = test_env();

    /* A 4 x 3 heap image (ImgLib2 dims; C shape {3, 4}). */
    jobject heap = heap_floats(env, 4, 3);
    fill(env, heap, 4, 3);
    imglyb_dtype dtype = 0;
    size_t ndim = 0;
    int64_t shape[IMGLYB_MAX_NDIM];
    OK(imglyb_image_shape(heap, &dtype, &ndim, shape));
    CHECK(dtype == IMGLYB_DTYPE_FLOAT32 && ndim == 2 && shape[0] == 3 && shape[1] == 4);
    float out[3][4];
    memset(out, 0, sizeof out);
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_copy_out(heap, out, sizeof out - 4));
    CHECK(out[0][1] == 0.0f); /* nothing written */
    OK(imglyb_copy_out(heap, out, sizeof out));
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            CHECK(out[y][x] == (float)(10 * y + x));

    /* A rotated view of it: copied by cursors, in the view's order. */
    jobject view = rotate(env, heap, 0, 1);
    OK(imglyb_image_shape(view, &dtype, &ndim, shape));
    CHECK(ndim == 2 && shape[0] == 4 && shape[1] == 3);
    float rot[4][3];
    OK(imglyb_copy_out(view, rot, sizeof rot));
    /* Views.rotate(img, 0, 1) moves (x, y) to (-y, x): view min is (-2, 0), and the pixel at
     * view offset (i, j) from the min is img(j, 2 - i). */
    for (jlong j = 0; j < 4; j++)
        for (jlong i = 0; i < 3; i++) {
            const jlong pos[] = {i - 2, j};
            CHECK(rot[j][i] == (float)read_real(env, view, pos, 2));
            CHECK(rot[j][i] == out[2 - i][j]);
        }
    (*env)->DeleteLocalRef(env, view);
    (*env)->DeleteLocalRef(env, heap);

    /* A wrapped strided image (every other column) copies to a contiguous block. */
    int32_t base[2][6] = {{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}};
    const int64_t wshape[] = {2, 3};
    const int64_t wstrides[] = {(int64_t)sizeof base[0], 2 * (int64_t)sizeof(int32_t)};
    imglyb_array a = array_of(base, IMGLYB_DTYPE_INT32, 2, wshape, wstrides);
    jobject img = NULL;
    OK(imglyb_wrap(&a, &img));
    int32_t packed[2][3];
    OK(imglyb_copy_out(img, packed, sizeof packed));
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            CHECK(packed[y][x] == base[y][2 * x]);

    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_copy_out(NULL, packed, sizeof packed));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_copy_out(img, NULL, sizeof packed));
    FAILS(IMGLYB_RESULT_NULL_ARGUMENT, imglyb_image_shape(img, NULL, &ndim, shape));
    OK(imglyb_image_free(img));
    printf("copy: %d checks passed\n", checks_run);
    return 0;
}
