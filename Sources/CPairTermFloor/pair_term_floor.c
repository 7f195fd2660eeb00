#include "pair_term_floor.h"

/* The stand-in slope of a margin m (see the header): shaped like -weight x sigmoid(-m), cheaper than any logistic. */
static inline float stand_in_slope(float m, float weight) {
    return -weight * 0.5f * (1.0f - m / (1.0f + (m < 0 ? -m : m)));
}

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

static inline float lane_sum(__m256 v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_hadd_ps(a, a);
    a = _mm_hadd_ps(a, a);
    return _mm_cvtss_f32(a);
}

void unkd_pair_term_floor(const float *user, int count, const int32_t *positives, const int32_t *negatives,
                          const float *items, float weight, float *slopes, float *userGradient, float *itemGradient) {
    const __m256 x0 = _mm256_loadu_ps(user), x1 = _mm256_loadu_ps(user + 8);
    for (int p = 0; p < count; p++) {
        const float *a = items + (int64_t)positives[p] * 16, *b = items + (int64_t)negatives[p] * 16;
        __m256 s = _mm256_mul_ps(x0, _mm256_sub_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b)));
        s = _mm256_fmadd_ps(x1, _mm256_sub_ps(_mm256_loadu_ps(a + 8), _mm256_loadu_ps(b + 8)), s);
        slopes[p] = lane_sum(s);
    }
    for (int p = 0; p < count; p++) slopes[p] = stand_in_slope(slopes[p], weight);
    __m256 g0 = _mm256_setzero_ps(), g1 = _mm256_setzero_ps();
    for (int p = 0; p < count; p++) {
        const __m256 w = _mm256_set1_ps(slopes[p]);
        const int64_t i = (int64_t)positives[p] * 16, j = (int64_t)negatives[p] * 16;
        g0 = _mm256_fmadd_ps(w, _mm256_sub_ps(_mm256_loadu_ps(items + i), _mm256_loadu_ps(items + j)), g0);
        g1 = _mm256_fmadd_ps(w, _mm256_sub_ps(_mm256_loadu_ps(items + i + 8), _mm256_loadu_ps(items + j + 8)), g1);
        float *gi = itemGradient + i, *gj = itemGradient + j;
        _mm256_storeu_ps(gi, _mm256_fmadd_ps(w, x0, _mm256_loadu_ps(gi)));
        _mm256_storeu_ps(gi + 8, _mm256_fmadd_ps(w, x1, _mm256_loadu_ps(gi + 8)));
        _mm256_storeu_ps(gj, _mm256_fnmadd_ps(w, x0, _mm256_loadu_ps(gj)));
        _mm256_storeu_ps(gj + 8, _mm256_fnmadd_ps(w, x1, _mm256_loadu_ps(gj + 8)));
    }
    _mm256_storeu_ps(userGradient, _mm256_add_ps(g0, _mm256_loadu_ps(userGradient)));
    _mm256_storeu_ps(userGradient + 8, _mm256_add_ps(g1, _mm256_loadu_ps(userGradient + 8)));
}

#else

void unkd_pair_term_floor(const float *user, int count, const int32_t *positives, const int32_t *negatives,
                          const float *items, float weight, float *slopes, float *userGradient, float *itemGradient) {
    for (int p = 0; p < count; p++) {
        const float *a = items + (int64_t)positives[p] * 16, *b = items + (int64_t)negatives[p] * 16;
        float s = 0;
        for (int k = 0; k < 16; k++) s += user[k] * (a[k] - b[k]);
        slopes[p] = stand_in_slope(s, weight);
    }
    for (int p = 0; p < count; p++) {
        const float w = slopes[p];
        const float *a = items + (int64_t)positives[p] * 16, *b = items + (int64_t)negatives[p] * 16;
        float *gi = itemGradient + (int64_t)positives[p] * 16, *gj = itemGradient + (int64_t)negatives[p] * 16;
        for (int k = 0; k < 16; k++) {
            userGradient[k] += w * (a[k] - b[k]);
            gi[k] += w * user[k];
            gj[k] -= w * user[k];
        }
    }
}

#endif
