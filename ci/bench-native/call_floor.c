/*
 * The call floor (ci/bench): the least a Python call of a static Java method can cost. One
 * CPython function per measured call, each making the one JNI call with its class and method id
 * looked up once, with the GIL released around it and the result boxed, and nothing else: no
 * argument conversion beyond PyLong_AsLong, no overload resolution, no proxies. It joins the
 * JVM that imglyb started in the same process (JNI_GetCreatedJavaVMs, found in the libjvm that
 * imglyb loaded), so both are timed on the same JVM in alternating rounds.
 *
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <jni.h>

typedef jint (*GetCreatedJavaVMs)(JavaVM **, jsize, jsize *);

static JavaVM *vm;
static jclass system_class, math_class;
static jmethodID nano_time_id, abs_id;

static JNIEnv *thread_env(void) {
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        if ((*vm)->AttachCurrentThreadAsDaemon(vm, (void **)&env, NULL) != JNI_OK) {
            return NULL;
        }
    }
    return env;
}

static PyObject *init(PyObject *self, PyObject *unused) {
    GetCreatedJavaVMs get = (GetCreatedJavaVMs)dlsym(RTLD_DEFAULT, "JNI_GetCreatedJavaVMs");
    jsize n = 0;
    if (get == NULL || get(&vm, 1, &n) != JNI_OK || n != 1) {
        PyErr_SetString(PyExc_RuntimeError, "no JVM in this process: start imglyb's first");
        return NULL;
    }
    JNIEnv *env = thread_env();
    if (env == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "cannot attach to the JVM");
        return NULL;
    }
    jclass s = (*env)->FindClass(env, "java/lang/System");
    jclass m = s ? (*env)->FindClass(env, "java/lang/Math") : NULL;
    if (m == NULL) {
        (*env)->ExceptionClear(env);
        PyErr_SetString(PyExc_RuntimeError, "java.lang.System or Math not found");
        return NULL;
    }
    system_class = (*env)->NewGlobalRef(env, s);
    math_class = (*env)->NewGlobalRef(env, m);
    nano_time_id = (*env)->GetStaticMethodID(env, system_class, "nanoTime", "()J");
    abs_id = (*env)->GetStaticMethodID(env, math_class, "abs", "(I)I");
    if (nano_time_id == NULL || abs_id == NULL) {
        (*env)->ExceptionClear(env);
        PyErr_SetString(PyExc_RuntimeError, "System.nanoTime or Math.abs(int) not found");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* System.nanoTime(). */
static PyObject *nano_time(PyObject *self, PyObject *unused) {
    jlong value = 0;
    int failed;
    Py_BEGIN_ALLOW_THREADS
    JNIEnv *env = thread_env();
    failed = env == NULL;
    if (!failed) {
        value = (*env)->CallStaticLongMethod(env, system_class, nano_time_id);
        failed = (*env)->ExceptionCheck(env);
    }
    Py_END_ALLOW_THREADS
    if (failed) {
        PyErr_SetString(PyExc_RuntimeError, "System.nanoTime failed");
        return NULL;
    }
    return PyLong_FromLongLong(value);
}

/* Math.abs(int). */
static PyObject *abs_int(PyObject *self, PyObject *arg) {
    long x = PyLong_AsLong(arg);
    if (x == -1 && PyErr_Occurred()) {
        return NULL;
    }
    jint value = 0;
    int failed;
    Py_BEGIN_ALLOW_THREADS
    JNIEnv *env = thread_env();
    failed = env == NULL;
    if (!failed) {
        value = (*env)->CallStaticIntMethod(env, math_class, abs_id, (jint)x);
        failed = (*env)->ExceptionCheck(env);
    }
    Py_END_ALLOW_THREADS
    if (failed) {
        PyErr_SetString(PyExc_RuntimeError, "Math.abs failed");
        return NULL;
    }
    return PyLong_FromLong(value);
}

static PyMethodDef methods[] = {
    {"init", init, METH_NOARGS, "Joins the JVM in this process and looks the ids up."},
    {"nano_time", nano_time, METH_NOARGS, "System.nanoTime()"},
    {"abs", abs_int, METH_O, "Math.abs(int)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "call_floor", NULL, -1, methods};

PyMODINIT_FUNC PyInit_call_floor(void) { return PyModule_Create(&module); }
