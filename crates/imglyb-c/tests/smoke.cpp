// The header compiles as C++ and the library links from C++: wrap a std::vector, read it from
// Java, and get the enum values C++ code would switch on.
#include <cstdio>
#include <cstring>
#include <vector>

#include "imglyb.h"

static_assert(sizeof(imglyb_result) == 4, "imglyb_result is 32 bits");
static_assert(IMGLYB_RESULT_OK == 0, "OK is 0");

int main() {
    if (imglyb_jvm_start(nullptr, nullptr, 0) != IMGLYB_RESULT_OK) {
        std::fprintf(stderr, "start: %s\n", imglyb_last_error_message());
        return 1;
    }
    std::vector<double> pixels{1.5, 2.5, 3.5};
    const int64_t shape[] = {static_cast<int64_t>(pixels.size())};
    imglyb_array a{};
    a.struct_size = sizeof a;
    a.data = pixels.data();
    a.dtype = IMGLYB_DTYPE_FLOAT64;
    a.ndim = 1;
    a.shape = shape;
    jobject img = nullptr;
    if (imglyb_wrap(&a, &img) != IMGLYB_RESULT_OK || img == nullptr) {
        std::fprintf(stderr, "wrap: %s\n", imglyb_last_error_message());
        return 1;
    }
    imglyb_array d{};
    if (imglyb_describe(img, &d) != IMGLYB_RESULT_OK || d.data != pixels.data() || d.shape[0] != 3 ||
        d.dtype != IMGLYB_DTYPE_FLOAT64) {
        std::fprintf(stderr, "describe: %s\n", imglyb_last_error_message());
        return 1;
    }
    imglyb_array_free(&d);
    if (imglyb_image_free(img) != IMGLYB_RESULT_OK) {
        return 1;
    }
    imglyb_result r = imglyb_wrap(nullptr, &img);
    if (r != IMGLYB_RESULT_NULL_ARGUMENT || std::strlen(imglyb_last_error_message()) == 0) {
        return 1;
    }
    std::printf("smoke (C++): imglyb %s\n", imglyb_version());
    return 0;
}
