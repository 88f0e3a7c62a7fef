/*
 * Shared by the C tests: checks that fail loudly, and the few JNI calls the tests make on
 * ImgLib2 images (read and write a pixel, make a view, collect garbage). Every JNI call that
 * can throw is checked right away, so -Xcheck:jni (ci/ctest sets it) stays quiet.
 */
#ifndef IMGLYB_TEST_SUPPORT_H
#define IMGLYB_TEST_SUPPORT_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* nanosleep, setenv, strdup */
#endif

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "imglyb.h"

static int checks_run = 0;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        checks_run++;                                                                      \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n  last imglyb error: %s\n", __FILE__, \
                    __LINE__, #cond, imglyb_last_error_message());                         \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

/* A call that must succeed. */
#define OK(call)                                                                      \
    do {                                                                              \
        imglyb_result ok_result_ = (call);                                            \
        checks_run++;                                                                 \
        if (ok_result_ != IMGLYB_RESULT_OK) {                                         \
            fprintf(stderr, "%s:%d: %s returned %u: %s\n", __FILE__, __LINE__, #call, \
                    (unsigned)ok_result_, imglyb_last_error_message());               \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* A call that must fail with `code` and explain itself. */
#define FAILS(code, call)                                                                   \
    do {                                                                                    \
        imglyb_result fails_result_ = (call);                                               \
        checks_run++;                                                                       \
        if (fails_result_ != (code) || imglyb_last_error_message()[0] == '\0') {            \
            fprintf(stderr, "%s:%d: %s returned %u (want %u), message \"%s\"\n", __FILE__, \
                    __LINE__, #call, (unsigned)fails_result_, (unsigned)(code),             \
                    imglyb_last_error_message());                                           \
            exit(1);                                                                        \
        }                                                                                   \
    } while (0)

/* An imglyb_array over `data`; the other fields zero (writable, no release callback). */
static inline imglyb_array array_of(void *data, imglyb_dtype dtype, size_t ndim, const int64_t *shape,
                                    const int64_t *strides) {
    imglyb_array a;
    memset(&a, 0, sizeof a);
    a.struct_size = sizeof a;
    a.data = data;
    a.dtype = dtype;
    a.ndim = ndim;
    a.shape = shape;
    a.strides = strides;
    return a;
}

static inline void fail_on_exception(JNIEnv *env, const char *where) {
    if ((*env)->ExceptionCheck(env)) {
        fprintf(stderr, "unexpected Java exception in %s:\n", where);
        (*env)->ExceptionDescribe(env);
        exit(1);
    }
}

/* This thread's JNIEnv, attaching the thread if needed. */
static inline JNIEnv *test_env(void) {
    JavaVM *vm = NULL;
    OK(imglyb_jvm_javavm(&vm));
    JNIEnv *env = NULL;
    jint got = (*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8);
    if (got == JNI_EDETACHED) {
        got = (*vm)->AttachCurrentThreadAsDaemon(vm, (void **)&env, NULL);
    }
    CHECK(got == JNI_OK && env != NULL);
    return env;
}

static inline jmethodID method(JNIEnv *env, const char *class_name, const char *name, const char *sig) {
    jclass c = (*env)->FindClass(env, class_name);
    fail_on_exception(env, class_name);
    jmethodID m = (*env)->GetMethodID(env, c, name, sig);
    fail_on_exception(env, name);
    (*env)->DeleteLocalRef(env, c);
    return m;
}

/* A RandomAccess of `img` at ImgLib2 position `pos` (n values), as a local reference. */
static inline jobject access_at(JNIEnv *env, jobject img, const jlong *pos, jsize n) {
    jobject ra = (*env)->CallObjectMethod(
        env, img, method(env, "net/imglib2/RandomAccessible", "randomAccess", "()Lnet/imglib2/RandomAccess;"));
    fail_on_exception(env, "randomAccess");
    jlongArray p = (*env)->NewLongArray(env, n);
    fail_on_exception(env, "NewLongArray");
    (*env)->SetLongArrayRegion(env, p, 0, n, pos);
    fail_on_exception(env, "SetLongArrayRegion");
    (*env)->CallVoidMethod(env, ra, method(env, "net/imglib2/Positionable", "setPosition", "([J)V"), p);
    fail_on_exception(env, "setPosition");
    (*env)->DeleteLocalRef(env, p);
    return ra;
}

/* The pixel object at `pos` (a local reference; a Java exception is left pending). */
static inline jobject pixel_at(JNIEnv *env, jobject img, const jlong *pos, jsize n) {
    jobject ra = access_at(env, img, pos, n);
    jobject t = (*env)->CallObjectMethod(env, ra, method(env, "net/imglib2/Sampler", "get", "()Ljava/lang/Object;"));
    fail_on_exception(env, "get");
    (*env)->DeleteLocalRef(env, ra);
    return t;
}

/* RealType.getRealDouble() of the pixel at `pos`; an exception is a test failure. */
static inline double read_real(JNIEnv *env, jobject img, const jlong *pos, jsize n) {
    jobject t = pixel_at(env, img, pos, n);
    double v = (*env)->CallDoubleMethod(env, t, method(env, "net/imglib2/type/numeric/RealType", "getRealDouble", "()D"));
    fail_on_exception(env, "getRealDouble");
    (*env)->DeleteLocalRef(env, t);
    return v;
}

/*
 * RealType.setReal(double) at `pos`. Returns NULL on success, or the Java exception thrown by
 * get() or setReal (a local reference, cleared from the thread) for the caller to inspect.
 */
static inline jthrowable write_real(JNIEnv *env, jobject img, const jlong *pos, jsize n, double value) {
    jobject ra = access_at(env, img, pos, n);
    jobject t = (*env)->CallObjectMethod(env, ra, method(env, "net/imglib2/Sampler", "get", "()Ljava/lang/Object;"));
    jthrowable thrown = (*env)->ExceptionOccurred(env);
    if (thrown == NULL) {
        (*env)->CallVoidMethod(env, t, method(env, "net/imglib2/type/numeric/RealType", "setReal", "(D)V"), value);
        thrown = (*env)->ExceptionOccurred(env);
    }
    if (thrown != NULL) {
        (*env)->ExceptionClear(env);
    }
    if (t != NULL) {
        (*env)->DeleteLocalRef(env, t);
    }
    (*env)->DeleteLocalRef(env, ra);
    return thrown;
}

/* Whether `thrown` is an instance of `class_name` (slash form). Deletes `thrown`. */
static inline int thrown_is(JNIEnv *env, jthrowable thrown, const char *class_name) {
    if (thrown == NULL) {
        return 0;
    }
    jclass c = (*env)->FindClass(env, class_name);
    fail_on_exception(env, class_name);
    int is = (*env)->IsInstanceOf(env, thrown, c) == JNI_TRUE;
    (*env)->DeleteLocalRef(env, c);
    (*env)->DeleteLocalRef(env, thrown);
    return is;
}

/* The binary class name of `obj`, into `buf`. */
static inline const char *class_name_of(JNIEnv *env, jobject obj, char *buf, size_t size) {
    jclass c = (*env)->GetObjectClass(env, obj);
    jstring name = (jstring)(*env)->CallObjectMethod(env, c, method(env, "java/lang/Class", "getName", "()Ljava/lang/String;"));
    fail_on_exception(env, "getName");
    const char *utf = (*env)->GetStringUTFChars(env, name, NULL);
    CHECK(utf != NULL);
    snprintf(buf, size, "%s", utf);
    (*env)->ReleaseStringUTFChars(env, name, utf);
    (*env)->DeleteLocalRef(env, name);
    (*env)->DeleteLocalRef(env, c);
    return buf;
}

/* net.imglib2.view.Views.rotate(img, from, to), as a local reference. */
static inline jobject rotate(JNIEnv *env, jobject img, int from, int to) {
    jclass views = (*env)->FindClass(env, "net/imglib2/view/Views");
    fail_on_exception(env, "Views");
    jmethodID m = (*env)->GetStaticMethodID(env, views, "rotate",
        "(Lnet/imglib2/RandomAccessibleInterval;II)Lnet/imglib2/view/IntervalView;");
    fail_on_exception(env, "Views.rotate");
    jobject view = (*env)->CallStaticObjectMethod(env, views, m, img, from, to);
    fail_on_exception(env, "Views.rotate()");
    (*env)->DeleteLocalRef(env, views);
    return view;
}

/* A heap ArrayImg of floats (net.imglib2.img.array.ArrayImgs.floats), as a local reference. */
static inline jobject heap_floats(JNIEnv *env, jlong w, jlong h) {
    jclass imgs = (*env)->FindClass(env, "net/imglib2/img/array/ArrayImgs");
    fail_on_exception(env, "ArrayImgs");
    jmethodID m = (*env)->GetStaticMethodID(env, imgs, "floats", "([J)Lnet/imglib2/img/array/ArrayImg;");
    fail_on_exception(env, "ArrayImgs.floats");
    jlongArray dims = (*env)->NewLongArray(env, 2);
    fail_on_exception(env, "NewLongArray");
    jlong d[2] = {w, h};
    (*env)->SetLongArrayRegion(env, dims, 0, 2, d);
    jobject img = (*env)->CallStaticObjectMethod(env, imgs, m, dims);
    fail_on_exception(env, "ArrayImgs.floats()");
    (*env)->DeleteLocalRef(env, dims);
    (*env)->DeleteLocalRef(env, imgs);
    return img;
}

/* System.gc(), then a short sleep: lets Java's cleaner find unreachable memory. */
static inline void collect_garbage(JNIEnv *env) {
    jclass system = (*env)->FindClass(env, "java/lang/System");
    fail_on_exception(env, "System");
    jmethodID gc = (*env)->GetStaticMethodID(env, system, "gc", "()V");
    fail_on_exception(env, "System.gc");
    (*env)->CallStaticVoidMethod(env, system, gc);
    fail_on_exception(env, "System.gc()");
    (*env)->DeleteLocalRef(env, system);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
}

/* Collects garbage until `*counter` reaches `want` or about 10 s pass; returns the count. */
static inline int wait_for_count(JNIEnv *env, atomic_int *counter, int want) {
    for (int i = 0; i < 500 && atomic_load(counter) < want; i++) {
        collect_garbage(env);
    }
    return atomic_load(counter);
}

#endif /* IMGLYB_TEST_SUPPORT_H */
