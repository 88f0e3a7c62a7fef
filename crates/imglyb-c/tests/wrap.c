/*
 * Wrapping C memory as ImgLib2 images and describing it back: values read and written through
 * JNI on the Java side, every dtype, strided and negative-stride layouts, read-only memory,
 * bounds, ARGB, and imglyb_describe / imglyb_array_free.
 */
#include "support.h"

#include <stdint.h>

/* A C-contiguous 3x4 float image: Java reads every value at the reversed position, and its
 * writes land in the C buffer. */
static void contiguous(JNIEnv *env) {
    float pixels[3][4];
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            pixels[y][x] = (float)(10 * y + x);
    const int64_t shape[] = {3, 4};
    imglyb_array a = array_of(pixels, IMGLYB_DTYPE_FLOAT32, 2, shape, NULL);
    jobject img = NULL;
    OK(imglyb_wrap(&a, &img));
    CHECK(img != NULL);
    CHECK((*env)->GetObjectRefType(env, img) == JNIGlobalRefType);

    char name[256];
    CHECK(strcmp(class_name_of(env, img, name, sizeof name), "org.imglyb.img.StridedImg") == 0);
    for (jlong y = 0; y < 3; y++)
        for (jlong x = 0; x < 4; x++) {
            const jlong pos[] = {x, y};
            CHECK(read_real(env, img, pos, 2) == pixels[y][x]);
        }
    const jlong pos[] = {3, 1};
    CHECK(write_real(env, img, pos, 2, -7.5) == NULL);
    CHECK(pixels[1][3] == -7.5f);
    pixels[2][0] = 99.0f; /* and C's writes are seen by Java at once */
    const jlong p20[] = {0, 2};
    CHECK(read_real(env, img, p20, 2) == 99.0);

    /* Out of bounds: Java throws and memory is untouched. */
    const jlong outside[] = {4, 2};
    CHECK(thrown_is(env, write_real(env, img, outside, 2, 1.0), "java/lang/IndexOutOfBoundsException"));

    /* Described back: the same bytes, shape and strides. */
    imglyb_array d;
    memset(&d, 0xAB, sizeof d);
    OK(imglyb_describe(img, &d));
    CHECK(d.data == (void *)pixels);
    CHECK(d.dtype == IMGLYB_DTYPE_FLOAT32 && d.ndim == 2 && !d.readonly);
    CHECK(d.shape[0] == 3 && d.shape[1] == 4);
    CHECK(d.strides[0] == 16 && d.strides[1] == 4);
    CHECK(d.release == NULL && d.release_ctx == NULL);
    OK(imglyb_array_free(&d));
    CHECK(d.shape == NULL && d.strides == NULL);
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_array_free(&d)); /* freed already */
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_array_free(&a)); /* not imglyb's */

    /* A view over it (Views.rotate) is described as strides over the same memory. */
    jobject view = rotate(env, img, 0, 1);
    OK(imglyb_describe(view, &d));
    CHECK(d.ndim == 2 && d.shape[0] == 4 && d.shape[1] == 3);
    CHECK(*(float *)d.data == pixels[2][0]);
    OK(imglyb_array_free(&d));
    (*env)->DeleteLocalRef(env, view);

    OK(imglyb_image_free(img));
}

/* Strided memory: every other column, rows in reverse (a negative stride), and a transposed
 * (Fortran-order) layout; Java reads each element at the reversed position. */
static void strided(JNIEnv *env) {
    double base[4][6];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 6; x++)
            base[y][x] = 100.0 * y + x;
    /* view[i][j] = base[3 - i][2 * j] */
    const int64_t shape[] = {4, 3};
    const int64_t strides[] = {-(int64_t)sizeof base[0], 2 * (int64_t)sizeof(double)};
    imglyb_array a = array_of(&base[3][0], IMGLYB_DTYPE_FLOAT64, 2, shape, strides);
    jobject img = NULL;
    OK(imglyb_wrap(&a, &img));
    for (jlong i = 0; i < 4; i++)
        for (jlong j = 0; j < 3; j++) {
            const jlong pos[] = {j, i};
            CHECK(read_real(env, img, pos, 2) == base[3 - i][2 * j]);
        }
    const jlong pos[] = {2, 0}; /* view[0][2] = base[3][4] */
    CHECK(write_real(env, img, pos, 2, 0.25) == NULL);
    CHECK(base[3][4] == 0.25);
    CHECK(base[3][5] == 305.0 && base[3][3] == 303.0);
    imglyb_array d;
    OK(imglyb_describe(img, &d));
    CHECK(d.data == (void *)&base[3][0] && d.strides[0] == strides[0] && d.strides[1] == strides[1]);
    OK(imglyb_array_free(&d));
    OK(imglyb_image_free(img));

    /* Transposed: t[i][j] = base[j][i], 6x4. */
    const int64_t tshape[] = {6, 4};
    const int64_t tstrides[] = {(int64_t)sizeof(double), (int64_t)sizeof base[0]};
    a = array_of(base, IMGLYB_DTYPE_FLOAT64, 2, tshape, tstrides);
    OK(imglyb_wrap(&a, &img));
    for (jlong i = 0; i < 6; i++)
        for (jlong j = 0; j < 4; j++) {
            const jlong p[] = {j, i};
            CHECK(read_real(env, img, p, 2) == base[j][i]);
        }
    OK(imglyb_image_free(img));
}

/* Every dtype gets its ImgLib2 type, and a value written in C is read in Java. */
static void every_dtype(JNIEnv *env) {
    static const struct {
        imglyb_dtype dtype;
        const char *type;
    } table[] = {
        {IMGLYB_DTYPE_INT8, "net.imglib2.type.numeric.integer.ByteType"},
        {IMGLYB_DTYPE_UINT8, "net.imglib2.type.numeric.integer.UnsignedByteType"},
        {IMGLYB_DTYPE_INT16, "net.imglib2.type.numeric.integer.ShortType"},
        {IMGLYB_DTYPE_UINT16, "net.imglib2.type.numeric.integer.UnsignedShortType"},
        {IMGLYB_DTYPE_INT32, "net.imglib2.type.numeric.integer.IntType"},
        {IMGLYB_DTYPE_UINT32, "net.imglib2.type.numeric.integer.UnsignedIntType"},
        {IMGLYB_DTYPE_INT64, "net.imglib2.type.numeric.integer.LongType"},
        {IMGLYB_DTYPE_UINT64, "net.imglib2.type.numeric.integer.UnsignedLongType"},
        {IMGLYB_DTYPE_FLOAT32, "net.imglib2.type.numeric.real.FloatType"},
        {IMGLYB_DTYPE_FLOAT64, "net.imglib2.type.numeric.real.DoubleType"},
        {IMGLYB_DTYPE_COMPLEX64, "net.imglib2.type.numeric.complex.ComplexFloatType"},
        {IMGLYB_DTYPE_COMPLEX128, "net.imglib2.type.numeric.complex.ComplexDoubleType"},
        {IMGLYB_DTYPE_BOOL, NULL}, /* NativeBoolType where ImgLib2 has it (5.6+), else UnsignedByteType */
    };
    jclass native_bool = (*env)->FindClass(env, "net/imglib2/type/logic/NativeBoolType");
    (*env)->ExceptionClear(env);
    const char *bool_type = native_bool != NULL ? "net.imglib2.type.logic.NativeBoolType"
                                                : "net.imglib2.type.numeric.integer.UnsignedByteType";
    if (native_bool != NULL) {
        (*env)->DeleteLocalRef(env, native_bool);
    }
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        _Alignas(16) unsigned char bytes[5 * 16];
        memset(bytes, 0, sizeof bytes);
        const int64_t shape[] = {5};
        imglyb_array a = array_of(bytes, table[k].dtype, 1, shape, NULL);
        /* element 3 holds 1 (the real part for complex types) */
        switch (table[k].dtype) {
        case IMGLYB_DTYPE_INT8: ((int8_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_UINT8: case IMGLYB_DTYPE_BOOL: ((uint8_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_INT16: ((int16_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_UINT16: ((uint16_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_INT32: ((int32_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_UINT32: ((uint32_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_INT64: ((int64_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_UINT64: ((uint64_t *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_FLOAT32: ((float *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_FLOAT64: ((double *)bytes)[3] = 1; break;
        case IMGLYB_DTYPE_COMPLEX64: ((float *)bytes)[6] = 1; break;
        case IMGLYB_DTYPE_COMPLEX128: ((double *)bytes)[6] = 1; break;
        default: CHECK(0);
        }
        jobject img = NULL;
        OK(imglyb_wrap(&a, &img));
        const jlong p3[] = {3};
        const jlong p2[] = {2};
        jobject t = pixel_at(env, img, p3, 1);
        char name[256];
        const char *want = table[k].type != NULL ? table[k].type : bool_type;
        if (strcmp(class_name_of(env, t, name, sizeof name), want) != 0) {
            fprintf(stderr, "dtype %u: got %s, want %s\n", (unsigned)table[k].dtype, name, want);
            exit(1);
        }
        (*env)->DeleteLocalRef(env, t);
        CHECK(read_real(env, img, p3, 1) == 1.0);
        CHECK(read_real(env, img, p2, 1) == 0.0);
        imglyb_array d;
        OK(imglyb_describe(img, &d));
        CHECK(d.dtype == table[k].dtype && d.data == (void *)bytes);
        OK(imglyb_array_free(&d));
        OK(imglyb_image_free(img));
    }
}

/* Read-only memory: Java's writes throw and never reach it. */
static void read_only(JNIEnv *env) {
    uint16_t pixels[2][2] = {{1, 2}, {3, 4}};
    const int64_t shape[] = {2, 2};
    imglyb_array a = array_of(pixels, IMGLYB_DTYPE_UINT16, 2, shape, NULL);
    a.readonly = true;
    jobject img = NULL;
    OK(imglyb_wrap(&a, &img));
    const jlong pos[] = {1, 0};
    CHECK(read_real(env, img, pos, 2) == 2.0);
    CHECK(thrown_is(env, write_real(env, img, pos, 2, 9.0), "java/lang/UnsupportedOperationException"));
    CHECK(pixels[0][1] == 2);
    imglyb_array d;
    OK(imglyb_describe(img, &d));
    CHECK(d.readonly);
    OK(imglyb_array_free(&d));
    OK(imglyb_image_free(img));
}

/* ARGB over uint32 pixels; other dtypes are refused. */
static void argb(JNIEnv *env) {
    uint32_t pixels[2] = {0xFF102030u, 0x80FFFFFFu};
    const int64_t shape[] = {2};
    imglyb_array a = array_of(pixels, IMGLYB_DTYPE_UINT32, 1, shape, NULL);
    jobject img = NULL;
    OK(imglyb_wrap_argb(&a, &img));
    const jlong p0[] = {0};
    jobject t = pixel_at(env, img, p0, 1);
    char name[256];
    CHECK(strcmp(class_name_of(env, t, name, sizeof name), "net.imglib2.type.numeric.ARGBType") == 0);
    jint v = (*env)->CallIntMethod(env, t, method(env, "net/imglib2/type/numeric/ARGBType", "get", "()I"));
    fail_on_exception(env, "ARGBType.get");
    CHECK((uint32_t)v == 0xFF102030u);
    (*env)->DeleteLocalRef(env, t);
    OK(imglyb_image_free(img));

    a.dtype = IMGLYB_DTYPE_FLOAT32;
    img = NULL;
    FAILS(IMGLYB_RESULT_INVALID_ARGUMENT, imglyb_wrap_argb(&a, &img));
    CHECK(img == NULL);
}

/* Memory Java allocated on its heap cannot be described; it is not C's to address. */
static void heap_images_are_not_described(JNIEnv *env) {
    jobject heap = heap_floats(env, 3, 2);
    imglyb_array d;
    memset(&d, 0x5A, sizeof d);
    FAILS(IMGLYB_RESULT_NOT_NATIVE_MEMORY, imglyb_describe(heap, &d));
    CHECK(d.ndim == (size_t)0x5A5A5A5A5A5A5A5Aull); /* untouched */
    (*env)->DeleteLocalRef(env, heap);
}

/* Empty arrays wrap (with a NULL data pointer too), and give empty images. */
static void empty(JNIEnv *env) {
    (void)env;
    const int64_t shape[] = {0, 5};
    imglyb_array a = array_of(NULL, IMGLYB_DTYPE_INT32, 2, shape, NULL);
    jobject img = NULL;
    OK(imglyb_wrap(&a, &img));
    CHECK(img != NULL);
    OK(imglyb_image_free(img));
}

int main(void) {
    OK(imglyb_jvm_start(NULL, NULL, 0));
    JNIEnv *env = test_env();
    contiguous(env);
    strided(env);
    every_dtype(env);
    read_only(env);
    argb(env);
    heap_images_are_not_described(env);
    empty(env);
    printf("wrap: %d checks passed\n", checks_run);
    return 0;
}
