//! Command-line front ends of the library (behind the `cli` feature); the binary only parses
//! arguments and dispatches here.

pub mod fit;
