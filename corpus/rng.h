/* The corpus's own PRNG: xoshiro256** (Blackman and Vigna), seeded through
 * splitmix64 from (seed, stream), so that message i of seed S is the same
 * whatever was generated before it. Never rand() or the clock. */
#ifndef EMBER_CORPUS_RNG_H
#define EMBER_CORPUS_RNG_H

#include <stddef.h>
#include <stdint.h>

struct corpus_rng {
	uint64_t s[4];
};

static inline uint64_t corpus_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static inline void corpus_rng_seed(struct corpus_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ corpus_splitmix64(&stream);
	for (int i = 0; i < 4; i++)
		r->s[i] = corpus_splitmix64(&x);
}

static inline uint64_t corpus_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t corpus_rng_next(struct corpus_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = corpus_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = corpus_rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n) (n > 0), by Lemire's multiply-shift (the bias is below
 * 2^-32 for the n used here, and the sequence stays deterministic). */
static inline uint32_t corpus_rng_below(struct corpus_rng *r, uint32_t n)
{
	return (uint32_t)(((corpus_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* 1 with probability num/den */
static inline int corpus_rng_chance(struct corpus_rng *r, uint32_t num, uint32_t den)
{
	return corpus_rng_below(r, den) < num;
}

#endif
