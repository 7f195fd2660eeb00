#ifndef PAIR_TERM_FLOOR_H
#define PAIR_TERM_FLOOR_H
#include <stdint.h>

/// One user's step of a pairwise distillation term, hand-written in C as a lower bound for `bench` (not used in
/// training): for rows of exactly 16 floats, the margins m_p = <user, item(positives[p]) - item(negatives[p])>, a slope
/// per pair, the user's gradient row += sum_p slope_p (item(positives[p]) - item(negatives[p])), and the item gradient
/// rows += / -= slope_p x user.
///
/// The slope is -weight x (1 - m / (1 + |m|)) / 2, a rational stand-in shaped like the logistic slope
/// -weight x sigmoid(-m) but cheaper than any logistic, and no loss value is summed, so the time is a lower bound for
/// the real term. `slopes` must hold `count` floats. With AVX2 and FMA it is written in intrinsics; elsewhere the same
/// steps are plain loops, left to the compiler to vectorise.
void unkd_pair_term_floor(const float *user, int count, const int32_t *positives, const int32_t *negatives,
                          const float *items, float weight, float *slopes, float *userGradient, float *itemGradient);

#endif
