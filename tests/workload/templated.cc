// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * templated [MS]: about MS milliseconds (default 300) of CPU, half in each
 * overload of a method of a class template,
 *
 *   engine::detail::Accumulator<double>::crunch_numbers(std::vector<double,
 *       std::allocator<double> > const&) const
 *   engine::detail::Accumulator<double>::crunch_numbers(double const*,
 *       unsigned long) const
 *
 * called from a lambda in a function of the anonymous namespace, so that a
 * profile holds the C++ names that perf shortens: the tests of names look
 * for the short name, both full signatures, and the callers. Not built by
 * make: the test that uses it builds it where g++ is installed.
 */
#include <cstdlib>
#include <ctime>
#include <vector>

namespace engine {
namespace detail {

template <typename T> class Accumulator {
public:
	explicit Accumulator(T seed) : acc(seed) {}

	/* noipa: no clone, no inlining, so that each is a symbol of its own */
	__attribute__((noipa)) T crunch_numbers(const std::vector<T> &v) const
	{
		T s = acc;

		for (size_t i = 0; i < v.size(); i++)
			s = s * T(0.999999) + v[i];
		return s;
	}

	__attribute__((noipa)) T crunch_numbers(const T *v, size_t n) const
	{
		T s = acc;

		for (size_t i = 0; i < n; i++)
			s = s * T(0.999999) + v[i];
		return s;
	}

private:
	T acc;
};

} // namespace detail
} // namespace engine

namespace {

volatile double sink;

__attribute__((noipa)) void run(long ms)
{
	std::vector<double> v(100000, 1.5);
	engine::detail::Accumulator<double> a(0.5);
	auto both = [&](int n) {
		for (int i = 0; i < n; i++)
			sink = a.crunch_numbers(v) + a.crunch_numbers(v.data(), v.size());
	};
	/* CPU time, not wall time: the machine may be busy */
	std::clock_t end = std::clock() + (std::clock_t)(ms * (CLOCKS_PER_SEC / 1000));

	while (std::clock() < end)
		both(10);
}

} // namespace

int main(int argc, char **argv)
{
	run(argc > 1 ? atol(argv[1]) : 300);
	return 0;
}
