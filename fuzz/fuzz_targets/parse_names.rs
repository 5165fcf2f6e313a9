//! Every `FromStr` of rules and methods (`Method`, `RuleSet`, `LinearRule`, `Beta`): what
//! parses displays as a text that parses back to the same value and displays the same.
//! Parsing never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use neuralize::{Beta, LinearRule, Method, RuleSet};
use std::fmt::{Debug, Display};
use std::str::FromStr;

fn round_trip<T>(text: &str)
where
    T: FromStr + Display + PartialEq + Debug,
    T::Err: Debug,
{
    let Ok(value) = text.parse::<T>() else {
        return;
    };
    let shown = value.to_string();
    let again: T = shown.parse().unwrap_or_else(|e| {
        panic!("{text:?} parsed as {value:?}, displayed as {shown:?}, which does not parse: {e:?}")
    });
    assert_eq!(again, value, "{text:?} -> {shown:?}");
    assert_eq!(again.to_string(), shown, "{text:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    round_trip::<Method>(text);
    round_trip::<RuleSet>(text);
    round_trip::<LinearRule>(text);
    round_trip::<Beta>(text);
});
