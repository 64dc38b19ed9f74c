#include "core/rng.h"

#include <cmath>

namespace lrt {

namespace {
__extension__ typedef unsigned __int128 u128;  // GCC/Clang 128-bit product, for Lemire's method
constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}
}  // namespace

std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kMul0, c[0], hi0, lo0);
    mulhilo(kMul1, c[2], hi1, lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kWeyl0;
    k[1] += kWeyl1;
  }
  return c;
}

std::array<uint32_t, 4> CounterRng::block(uint64_t index) const {
  return philox4x32_10({static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                        static_cast<uint32_t>(stream_), static_cast<uint32_t>(stream_ >> 32)},
                       {static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32)});
}

uint64_t CounterRng::bits64(uint64_t index) const {
  const auto b = block(index);
  return (static_cast<uint64_t>(b[1]) << 32) | b[0];
}

double CounterRng::uniform(uint64_t index) const {
  return static_cast<double>(bits64(index) >> 11) * 0x1.0p-53;
}

double CounterRng::normal(uint64_t index) const {
  const auto b = block(index);
  const uint64_t w0 = (static_cast<uint64_t>(b[1]) << 32) | b[0];
  const uint64_t w1 = (static_cast<uint64_t>(b[3]) << 32) | b[2];
  // u1 in (0, 1] so that log(u1) is finite.
  const double u1 = (static_cast<double>(w0 >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(w1 >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t RngCursor::below(uint64_t n) {
  // Lemire (2019), "Fast random integer generation in an interval": multiply-shift
  // with rejection of the biased low region.
  uint64_t x = bits64();
  u128 m = static_cast<u128>(x) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = bits64();
      m = static_cast<u128>(x) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

}  // namespace lrt
