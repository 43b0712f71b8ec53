// SPDX-License-Identifier: GPL-2.0-or-later
//
// generic [MS]: about MS milliseconds (default 300) of CPU in a method of
// a generic struct, <generic::Acc<f64>>::crunch_numbers as perf shows it.
// Not built by make: tests/cli/cxx-names.sh builds it where rustc is
// installed, with the legacy and the v0 symbol mangling.
use std::time::Instant;

pub struct Acc<T> {
    v: T,
}

impl Acc<f64> {
    #[inline(never)]
    pub fn crunch_numbers(&self, xs: &[f64]) -> f64 {
        let mut s = self.v;
        for x in xs {
            s = s * 0.999999 + x;
        }
        s
    }
}

fn main() {
    let ms: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let a = Acc { v: 0.5 };
    let xs = vec![1.5; 100000];
    let mut t = 0.0;
    let start = Instant::now();
    // wall time: std has no CPU clock; a busy machine only makes the run longer
    while start.elapsed().as_millis() < ms as u128 {
        t += a.crunch_numbers(std::hint::black_box(&xs));
    }
    println!("{}", t);
}
