/*
 * wrap_buffer.c: a C buffer shared with ImgLib2, with no copy.
 *
 * The program allocates a 3 x 4 float image with malloc, wraps it as an ImgLib2 Img with
 * imglyb_wrap, and then works on it from both sides of JNI:
 *
 *   1. ImgLib2 rotates the image by 90 degrees (Views.zeroMin(Views.rotate(img, 0, 1))), and C
 *      reads the rotated view in place, through the byte strides imglyb_describe reports.
 *   2. Java writes into the rotated view with a Cursor; C sees the values in its own buffer.
 *   3. C writes a pixel; Java reads it back through a RandomAccess on the rotated view.
 *   4. A read-only buffer: a Java write throws UnsupportedOperationException and the memory is
 *      untouched.
 *   5. C lets go of its references; after a garbage collection Java calls the release
 *      callback, which frees the buffer.
 *
 * Every step checks its result and exits non-zero when something is wrong. The pixel loops make
 * one JNI call per pixel to keep the example short; real code hands whole images to Java
 * methods instead.
 *
 * Build and run: see README.md in this folder.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

#include <jni.h>

#include "imglyb.h"

/* The image: H rows of W pixels, C order, so pixels[y * W + x] is ImgLib2 position (x, y). */
enum { H = 3, W = 4 };

/* ------------------------------------------------------------------------------------------ */
/* Checks                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Exits with imglyb's explanation when an imglyb call did not succeed. */
static void check_imglyb(imglyb_result result, const char *what) {
    if (result != IMGLYB_RESULT_OK) {
        fprintf(stderr, "error: %s returned %u: %s\n", what, (unsigned)result,
                imglyb_last_error_message());
        exit(EXIT_FAILURE);
    }
}

/*
 * Exits with the Java stack trace when the last JNI call threw. Called after every JNI call that
 * can throw: with an exception pending, the only JNI calls allowed are the exception functions
 * and deleting references (-Xcheck:jni warns about anything else).
 */
static void check_java(JNIEnv *env, const char *what) {
    if ((*env)->ExceptionCheck(env)) {
        fprintf(stderr, "error: Java threw in %s:\n", what);
        (*env)->ExceptionDescribe(env); /* prints the stack trace and clears the exception */
        exit(EXIT_FAILURE);
    }
}

/* Exits when a value the program computed is not the expected one. */
static void check_value(bool ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "error: wrong result: %s\n", what);
        exit(EXIT_FAILURE);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The Java methods this program calls                                                         */
/* ------------------------------------------------------------------------------------------ */

/*
 * Classes and methods, looked up once. Method IDs stay valid while their class is loaded, and
 * classes on the classpath (loaded by the system class loader) are never unloaded. The two
 * classes whose static methods are called are held as global references.
 */
struct java {
    jclass views;  /* net.imglib2.view.Views */
    jclass system; /* java.lang.System */
    jclass unsupported_operation;
    jmethodID rotate, zero_min;                /* static methods of Views */
    jmethodID gc;                              /* System.gc() */
    jmethodID random_access, set_position;     /* RandomAccessible.randomAccess(), Positionable */
    jmethodID get;                             /* Sampler.get(): the pixel under a cursor */
    jmethodID set_real, get_real_double;       /* ComplexType (FloatType implements it) */
};

/* A global reference to a class. FindClass from a native thread searches the classpath. */
static jclass global_class(JNIEnv *env, const char *name) {
    jclass local = (*env)->FindClass(env, name);
    check_java(env, name);
    jclass global = (*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    check_value(global != NULL, "NewGlobalRef of a class");
    return global;
}

/* The ID of an instance method, looked up on the class or interface that declares it. */
static jmethodID method(JNIEnv *env, const char *class_name, const char *name, const char *sig) {
    jclass cls = (*env)->FindClass(env, class_name);
    check_java(env, class_name);
    jmethodID id = (*env)->GetMethodID(env, cls, name, sig);
    check_java(env, name);
    (*env)->DeleteLocalRef(env, cls);
    return id;
}

static jmethodID static_method(JNIEnv *env, jclass cls, const char *name, const char *sig) {
    jmethodID id = (*env)->GetStaticMethodID(env, cls, name, sig);
    check_java(env, name);
    return id;
}

static struct java look_up_java(JNIEnv *env) {
    struct java j;
    j.views = global_class(env, "net/imglib2/view/Views");
    j.system = global_class(env, "java/lang/System");
    j.unsupported_operation = global_class(env, "java/lang/UnsupportedOperationException");
    j.rotate = static_method(env, j.views, "rotate",
                             "(Lnet/imglib2/RandomAccessibleInterval;II)"
                             "Lnet/imglib2/view/IntervalView;");
    j.zero_min = static_method(env, j.views, "zeroMin",
                               "(Lnet/imglib2/RandomAccessibleInterval;)"
                               "Lnet/imglib2/view/IntervalView;");
    j.gc = static_method(env, j.system, "gc", "()V");
    j.random_access = method(env, "net/imglib2/RandomAccessible", "randomAccess",
                             "()Lnet/imglib2/RandomAccess;");
    j.set_position = method(env, "net/imglib2/Positionable", "setPosition", "([J)V");
    j.get = method(env, "net/imglib2/Sampler", "get", "()Ljava/lang/Object;");
    j.set_real = method(env, "net/imglib2/type/numeric/ComplexType", "setReal", "(D)V");
    j.get_real_double = method(env, "net/imglib2/type/numeric/ComplexType", "getRealDouble",
                               "()D");
    return j;
}

static void forget_java(JNIEnv *env, struct java *j) {
    (*env)->DeleteGlobalRef(env, j->views);
    (*env)->DeleteGlobalRef(env, j->system);
    (*env)->DeleteGlobalRef(env, j->unsupported_operation);
}

/* ------------------------------------------------------------------------------------------ */
/* Small ImgLib2 helpers                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* A RandomAccess on `image`, placed at ImgLib2 position (x, y). Returns a local reference. */
static jobject random_access_at(JNIEnv *env, const struct java *j, jobject image, jlong x,
                                jlong y) {
    jobject access = (*env)->CallObjectMethod(env, image, j->random_access);
    check_java(env, "randomAccess()");
    jlongArray position = (*env)->NewLongArray(env, 2);
    check_java(env, "NewLongArray");
    const jlong xy[2] = {x, y}; /* ImgLib2 order: x first */
    (*env)->SetLongArrayRegion(env, position, 0, 2, xy);
    check_java(env, "SetLongArrayRegion");
    (*env)->CallVoidMethod(env, access, j->set_position, position);
    check_java(env, "setPosition(long[])");
    (*env)->DeleteLocalRef(env, position);
    return access;
}

/* Prints `rows` x `cols` floats at `base`, whose rows are `row_stride` and columns `col_stride`
 * bytes apart (either may be negative). */
static void print_strided(const char *title, const void *base, int64_t rows, int64_t cols,
                          int64_t row_stride, int64_t col_stride) {
    printf("%s\n", title);
    for (int64_t r = 0; r < rows; r++) {
        printf("   ");
        for (int64_t c = 0; c < cols; c++) {
            const char *p = (const char *)base + r * row_stride + c * col_stride;
            printf(" %6.1f", (double)*(const float *)p);
        }
        printf("\n");
    }
}

static void print_image(const char *title, const float *pixels) {
    print_strided(title, pixels, H, W, W * (int64_t)sizeof(float), (int64_t)sizeof(float));
}

/* ------------------------------------------------------------------------------------------ */
/* The release callback                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* What the release callback needs: the buffer to free, and a flag the main thread waits on. */
struct owned_pixels {
    float *pixels;
    atomic_bool released;
};

/*
 * Called by imglyb exactly once, on a Java thread (a Cleaner thread), after Java can no longer
 * reach the pixels. It should be quick and must not unwind (no longjmp out of it); freeing the
 * memory is what it is for.
 */
static void release_pixels(void *ctx) {
    struct owned_pixels *owned = ctx;
    free(owned->pixels);
    atomic_store(&owned->released, true); /* seen by the main thread's atomic_load */
}

/* ------------------------------------------------------------------------------------------ */

int main(void) {
    printf("imglyb %s\n", imglyb_version());

    /* Start the JVM. IMGLYB_CLASSPATH and IMGLYB_JAVA_OPTIONS are read from the environment,
     * and Debian's /usr/share/java/imglib2.jar is on the classpath by default; the options
     * given here are added to them. imglyb_wrap would start a JVM on its own too. */
    const char *options[] = {"-Xmx256m"};
    check_imglyb(imglyb_jvm_start(NULL, options, 1), "imglyb_jvm_start");

    /* Our own JNI calls need this thread's JNIEnv. imglyb_jvm_start left the calling thread
     * attached; any other thread attaches itself with AttachCurrentThread(AsDaemon). */
    JavaVM *vm = NULL;
    check_imglyb(imglyb_jvm_javavm(&vm), "imglyb_jvm_javavm");
    JNIEnv *env = NULL;
    jint attached = (*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8);
    if (attached == JNI_EDETACHED) {
        attached = (*vm)->AttachCurrentThreadAsDaemon(vm, (void **)&env, NULL);
    }
    check_value(attached == JNI_OK, "GetEnv / AttachCurrentThread");
    struct java j = look_up_java(env);

    /* ----- The buffer: owned by C, filled by C. ------------------------------------------ */
    struct owned_pixels owned;
    owned.pixels = malloc(H * W * sizeof(float));
    check_value(owned.pixels != NULL, "malloc");
    atomic_init(&owned.released, false);
    float *pixels = owned.pixels;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            pixels[y * W + x] = (float)(10 * y + x);
        }
    }
    print_image("C fills its buffer, pixels[y][x] = 10 y + x:", pixels);

    /* ----- Wrap it. ---------------------------------------------------------------------- */
    /* The descriptor is only read during imglyb_wrap, so it may live on the stack. Shape and
     * strides are in C order (rows, then columns); NULL strides mean C-contiguous. ImgLib2 sees
     * axis ndim-1-d as its dimension d: an image W wide (dimension 0) and H high (dimension 1). */
    const int64_t shape[2] = {H, W};
    imglyb_array array = {
        .struct_size = sizeof(imglyb_array), /* which fields this build of the header has */
        .data = pixels,
        .dtype = IMGLYB_DTYPE_FLOAT32,
        .ndim = 2,
        .shape = shape,
        .strides = NULL,
        .readonly = false,
        .release = release_pixels,
        .release_ctx = &owned,
    };
    jobject img = NULL; /* a JNI global reference, ours until imglyb_image_free */
    check_imglyb(imglyb_wrap(&array, &img), "imglyb_wrap");

    /* ----- 1. ImgLib2 makes a rotated view; C reads it in place. -------------------------- */
    /* Views.rotate(img, 0, 1) turns the image by 90 degrees clockwise (x becomes y); zeroMin
     * moves its min to (0, 0). The view is H wide and W high. No pixel moves: the view is a
     * transform over the same memory. */
    jobject turned = (*env)->CallStaticObjectMethod(env, j.views, j.rotate, img, (jint)0, (jint)1);
    check_java(env, "Views.rotate");
    jobject rotated = (*env)->CallStaticObjectMethod(env, j.views, j.zero_min, turned);
    check_java(env, "Views.zeroMin");
    (*env)->DeleteLocalRef(env, turned);

    /* imglyb_describe reports where the view's pixels are: the address of its pixel at (0, 0),
     * and its shape and byte strides in C order. shape and strides are ours to free with
     * imglyb_array_free; the pixels stay valid while Java reaches them (here: while `rotated`
     * and `img` are referenced). */
    imglyb_array seen;
    check_imglyb(imglyb_describe(rotated, &seen), "imglyb_describe");
    printf("\nthe rotated view, as imglyb_describe reports it: shape {%lld, %lld}, "
           "byte strides {%lld, %lld}, first pixel at pixels + %lld\n",
           (long long)seen.shape[0], (long long)seen.shape[1], (long long)seen.strides[0],
           (long long)seen.strides[1],
           (long long)((const float *)seen.data - pixels));
    check_value(seen.dtype == IMGLYB_DTYPE_FLOAT32 && seen.ndim == 2 && !seen.readonly,
                "the rotated view's dtype, ndim and read-only flag");
    check_value(seen.shape[0] == W && seen.shape[1] == H, "the rotated view's shape");
    print_strided("C reads the rotated view in place, through those strides:", seen.data,
                  seen.shape[0], seen.shape[1], seen.strides[0], seen.strides[1]);
    /* Row r, column c of the view is pixels[H-1-c][r]: NumPy's np.rot90(pixels, -1). */
    for (int64_t r = 0; r < W; r++) {
        for (int64_t c = 0; c < H; c++) {
            const char *p = (const char *)seen.data + r * seen.strides[0] + c * seen.strides[1];
            check_value(p == (const char *)&pixels[(H - 1 - c) * W + r],
                        "the rotated view's pixel addresses");
        }
    }
    check_imglyb(imglyb_array_free(&seen), "imglyb_array_free");

    /* ----- 2. Java writes through the view; C sees it. ----------------------------------- */
    /* A random access visits the view's pixels row by row (x fastest); the k-th pixel gets the
     * value k. (Only methods whose signatures are the same in every ImgLib2 from 4.5 to 8.x are
     * called; Views.flatIterable's return type, for one, changed in ImgLib2 7.) The get()
     * results are local references: delete them inside the loop. */
    double k = 0;
    for (jlong r = 0; r < W; r++) {
        for (jlong c = 0; c < H; c++) {
            jobject at = random_access_at(env, &j, rotated, c, r);
            jobject pixel = (*env)->CallObjectMethod(env, at, j.get);
            check_java(env, "get()");
            (*env)->CallVoidMethod(env, pixel, j.set_real, (jdouble)k);
            check_java(env, "setReal(double)");
            (*env)->DeleteLocalRef(env, pixel);
            (*env)->DeleteLocalRef(env, at);
            k += 1;
        }
    }
    check_value(k == H * W, "every pixel is visited once");

    print_image("\nafter Java numbered the rotated view's pixels 0, 1, 2, ... row by row,\n"
                "C's own buffer holds:",
                pixels);
    /* View pixel (column c, row r) is number r * H + c, and lies at pixels[H-1-c][r]. */
    for (int r = 0; r < W; r++) {
        for (int c = 0; c < H; c++) {
            check_value(pixels[(H - 1 - c) * W + r] == (float)(r * H + c),
                        "Java's writes through the rotated view");
        }
    }

    /* ----- 3. C writes; Java reads through the view. ------------------------------------- */
    /* pixels[0][3] is view row 3, column H-1-0 = 2: ImgLib2 position (x, y) = (2, 3). */
    pixels[0 * W + 3] = -1.5f;
    jobject access = random_access_at(env, &j, rotated, 2, 3);
    jobject pixel = (*env)->CallObjectMethod(env, access, j.get);
    check_java(env, "get()");
    jdouble java_sees = (*env)->CallDoubleMethod(env, pixel, j.get_real_double);
    check_java(env, "getRealDouble()");
    (*env)->DeleteLocalRef(env, pixel);
    (*env)->DeleteLocalRef(env, access);
    printf("\nC set pixels[0][3] = -1.5; Java reads the rotated view at (2, 3): %.1f\n",
           java_sees);
    check_value(java_sees == -1.5, "Java reads what C wrote");

    /* ----- 4. Read-only memory stays read-only. ------------------------------------------ */
    /* Constant data, likely in a read-only page: a Java write that reached it would crash the
     * process. With .readonly set, Java's write throws instead and never reaches memory. The
     * array is static, so it outlives every Java image and needs no release callback. */
    static const float constants[2][2] = {{1.0f, 2.0f}, {3.0f, 4.0f}};
    const int64_t constants_shape[2] = {2, 2};
    imglyb_array constants_array = {
        .struct_size = sizeof(imglyb_array),
        .data = (void *)constants,
        .dtype = IMGLYB_DTYPE_FLOAT32,
        .ndim = 2,
        .shape = constants_shape,
        .strides = NULL,
        .readonly = true,
        .release = NULL,
        .release_ctx = NULL,
    };
    jobject constants_img = NULL;
    check_imglyb(imglyb_wrap(&constants_array, &constants_img), "imglyb_wrap (read-only)");
    access = random_access_at(env, &j, constants_img, 1, 0); /* constants[0][1] */
    pixel = (*env)->CallObjectMethod(env, access, j.get);
    check_java(env, "get()");
    (*env)->CallVoidMethod(env, pixel, j.set_real, (jdouble)99.0);
    jthrowable thrown = (*env)->ExceptionOccurred(env); /* a local reference, or NULL */
    (*env)->ExceptionClear(env);
    check_value(thrown != NULL, "a write to read-only memory throws");
    check_value((*env)->IsInstanceOf(env, thrown, j.unsupported_operation),
                "the write throws UnsupportedOperationException");
    (*env)->DeleteLocalRef(env, thrown);
    (*env)->DeleteLocalRef(env, pixel);
    (*env)->DeleteLocalRef(env, access);
    printf("\na Java write to read-only memory threw UnsupportedOperationException; "
           "constants[0][1] is still %.1f\n",
           (double)constants[0][1]);
    check_value(constants[0][1] == 2.0f, "read-only memory is unchanged");
    check_imglyb(imglyb_image_free(constants_img), "imglyb_image_free (read-only)");

    /* ----- 5. Let go, and let Java release the buffer. ----------------------------------- */
    /* Delete every reference that reaches the pixels: the view (a local reference) and the
     * image (imglyb's global reference). The buffer is still Java's until release_pixels
     * runs: C must not free it, and from here on it does not touch it. */
    (*env)->DeleteLocalRef(env, rotated);
    check_imglyb(imglyb_image_free(img), "imglyb_image_free");
    pixels = NULL;

    /* The release callback runs on a Java Cleaner thread once a garbage collection found the
     * memory unreachable. Ask for collections until it ran, for up to 5 seconds. */
    for (int tries = 0; tries < 100 && !atomic_load(&owned.released); tries++) {
        (*env)->CallStaticVoidMethod(env, j.system, j.gc);
        check_java(env, "System.gc()");
        thrd_sleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    check_value(atomic_load(&owned.released), "the release callback ran within 5 seconds");
    printf("\nafter System.gc(), Java called the release callback, which freed the buffer\n");

    forget_java(env, &j);
    /* The JVM is never destroyed; it ends with the process. */
    printf("ok\n");
    return EXIT_SUCCESS;
}
