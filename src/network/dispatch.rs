//! Run-time choice of the compiled copy of a vectorized kernel ([`Level`], `dispatched!`).

/// Which compiled copy of the vectorized kernels runs on this CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// Baseline x86-64 / any other architecture.
    Portable,
    /// AVX2 + FMA.
    Avx2,
    /// AVX-512 (foundation).
    Avx512,
}

impl Level {
    /// The best level this CPU runs (detected once; the detection macros cache their answer).
    #[inline]
    pub(crate) fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                return Level::Avx512;
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                return Level::Avx2;
            }
        }
        Level::Portable
    }

    /// The levels this CPU can run, portable first (for the tests that compare them).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Level> {
        let best = Level::detect();
        [Level::Portable, Level::Avx2, Level::Avx512]
            .into_iter()
            .filter(|&l| l as u8 <= best as u8)
            .collect()
    }
}

/// Define `$name(args)` that runs `$generic(args)` through a copy compiled for the best
/// [`Level`] of the CPU, and `$name_at(level, args)` that runs a given level's copy.
macro_rules! dispatched {
    ($(#[$doc:meta])* $name:ident, $at:ident, $generic:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        $(#[$doc])*
        #[inline]
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $name($($arg: $ty),*) -> $ret {
            $at(Level::detect(), $($arg),*)
        }

        /// The copy of `level` (portable where the CPU lacks its features).
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $at(level: Level, $($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx512($($arg: $ty),*) -> $ret {
                    $generic($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx2($($arg: $ty),*) -> $ret {
                    $generic($($arg),*)
                }
                match level {
                    // SAFETY: each arm checks that the CPU has the features of the copy.
                    Level::Avx512 if std::is_x86_feature_detected!("avx512f") => {
                        return unsafe { avx512($($arg),*) }
                    }
                    Level::Avx2 | Level::Avx512 if std::is_x86_feature_detected!("avx2")
                        && std::is_x86_feature_detected!("fma") => {
                        return unsafe { avx2($($arg),*) }
                    }
                    _ => {}
                }
            }
            let _ = level;
            $generic($($arg),*)
        }
    };
}
pub(crate) use dispatched;
