/*
 * Reference QQ-TEA (PROTOCOL.md §2) in plain C, for bench/protocol.ts to compare against.
 * Written for this project from the spec text only.
 *
 *   qqtea vector <key-hex> <random-hex> <plain-hex>   prints the ciphertext in hex
 *   qqtea bench <iterations> <plain-len> <key-hex>    prints "encrypt <MB/s> decrypt <MB/s> check <u32>"
 *
 * MB/s counts plaintext bytes (1 MB = 1e6 bytes), as the TypeScript side does.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DELTA 0x9e3779b9u

/* Compiler barrier: memory may have changed, so loop work cannot be hoisted or folded away. */
#ifdef __GNUC__
#define BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#define BARRIER() ((void)0)
#endif

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* 16-round TEA on one block (y, z). */
static void encipher(uint32_t *y, uint32_t *z, const uint32_t k[4]) {
  uint32_t a = *y, b = *z, sum = 0;
  for (int i = 0; i < 16; i++) {
    sum += DELTA;
    a += ((b << 4) + k[0]) ^ (b + sum) ^ ((b >> 5) + k[1]);
    b += ((a << 4) + k[2]) ^ (a + sum) ^ ((a >> 5) + k[3]);
  }
  *y = a; *z = b;
}

static void decipher(uint32_t *y, uint32_t *z, const uint32_t k[4]) {
  uint32_t a = *y, b = *z, sum = DELTA * 16u;
  for (int i = 0; i < 16; i++) {
    b -= ((a << 4) + k[2]) ^ (a + sum) ^ ((a >> 5) + k[3]);
    a -= ((b << 4) + k[0]) ^ (b + sum) ^ ((b >> 5) + k[1]);
    sum -= DELTA;
  }
  *y = a; *z = b;
}

/*
 * QQ framing + chaining. `rnd` supplies 1 + pad + 2 bytes (header byte, pad, salt).
 * `work` must hold cipher_len(len) bytes. Returns the ciphertext length.
 */
static size_t qq_encrypt(const uint8_t *plain, size_t len, const uint32_t k[4], const uint8_t *rnd,
                         uint8_t *work, uint8_t *out) {
  size_t pad = (len + 10) % 8;
  if (pad) pad = 8 - pad;
  size_t total = len + pad + 10;
  work[0] = (uint8_t)((rnd[0] & 0xf8) | pad);
  memcpy(work + 1, rnd + 1, pad + 2);
  memcpy(work + pad + 3, plain, len);
  memset(work + total - 7, 0, 7);
  uint32_t c0 = 0, c1 = 0, x0 = 0, x1 = 0;
  for (size_t off = 0; off < total; off += 8) {
    uint32_t n0 = be32(work + off) ^ c0, n1 = be32(work + off + 4) ^ c1;
    uint32_t e0 = n0, e1 = n1;
    encipher(&e0, &e1, k);
    c0 = e0 ^ x0; c1 = e1 ^ x1;
    put32(out + off, c0); put32(out + off + 4, c1);
    x0 = n0; x1 = n1;
  }
  return total;
}

/* Returns the data length and sets *data_off, or -1 if the ciphertext is invalid. */
static long qq_decrypt(const uint8_t *cipher, size_t total, const uint32_t k[4], uint8_t *out, size_t *data_off) {
  if (total < 16 || total % 8) return -1;
  uint32_t pc0 = 0, pc1 = 0, x0 = 0, x1 = 0;
  for (size_t off = 0; off < total; off += 8) {
    uint32_t c0 = be32(cipher + off), c1 = be32(cipher + off + 4);
    x0 ^= c0; x1 ^= c1;
    decipher(&x0, &x1, k);
    put32(out + off, x0 ^ pc0); put32(out + off + 4, x1 ^ pc1);
    pc0 = c0; pc1 = c1;
  }
  size_t pad = out[0] & 7;
  if (total < pad + 10) return -1;
  for (size_t i = total - 7; i < total; i++) if (out[i]) return -1;
  *data_off = pad + 3;
  return (long)(total - pad - 10);
}

static size_t unhex(const char *s, uint8_t *out, size_t max) {
  size_t n = strlen(s) / 2;
  if (n > max) { fprintf(stderr, "hex input too long\n"); exit(2); }
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1) { fprintf(stderr, "bad hex\n"); exit(2); }
    out[i] = (uint8_t)v;
  }
  return n;
}

static void key_words(const uint8_t key[16], uint32_t k[4]) {
  for (int i = 0; i < 4; i++) k[i] = be32(key + 4 * i);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  static uint8_t key[16], rnd[16], plain[4096], work[4200], out[4200], back[4200];
  uint32_t k[4];
  if (argc == 5 && strcmp(argv[1], "vector") == 0) {
    if (unhex(argv[2], key, 16) != 16) { fprintf(stderr, "key must be 16 bytes\n"); return 2; }
    unhex(argv[3], rnd, sizeof rnd);
    size_t len = unhex(argv[4], plain, sizeof plain);
    key_words(key, k);
    size_t n = qq_encrypt(plain, len, k, rnd, work, out);
    for (size_t i = 0; i < n; i++) printf("%02x", out[i]);
    printf("\n");
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "bench") == 0) {
    long iters = atol(argv[2]);
    size_t len = (size_t)atol(argv[3]);
    if (iters <= 0 || len > sizeof plain || unhex(argv[4], key, 16) != 16) { fprintf(stderr, "bad arguments\n"); return 2; }
    key_words(key, k);
    for (size_t i = 0; i < len; i++) plain[i] = (uint8_t)(i * 7 + 1);
    uint32_t check = 0, s = 0x12345678u;
    size_t n = 0;
    /* Encrypt: fresh cheap random bytes each time (xorshift32), like the TS side's cheap source. */
    double t0 = now_s();
    for (long it = 0; it < iters; it++) {
      s ^= s << 13; s ^= s >> 17; s ^= s << 5;
      put32(rnd, s); put32(rnd + 4, s * 2654435761u);
      plain[0] = (uint8_t)it; /* vary the input so no iteration can be folded away */
      n = qq_encrypt(plain, len, k, rnd, work, out);
      check += out[n - 1];
    }
    double enc = now_s() - t0;
    t0 = now_s();
    for (long it = 0; it < iters; it++) {
      size_t off = 0;
      BARRIER();
      long got = qq_decrypt(out, n, k, back, &off);
      if (got != (long)len) { fprintf(stderr, "decrypt failed\n"); return 1; }
      check += back[off + (size_t)it % len];
    }
    double dec = now_s() - t0;
    double mb = (double)iters * (double)len / 1e6;
    printf("encrypt %.2f decrypt %.2f check %u\n", mb / enc, mb / dec, check);
    return 0;
  }
  fprintf(stderr, "usage: qqtea vector <key> <random> <plain> | qqtea bench <iterations> <plain-len> <key>\n");
  return 2;
}
