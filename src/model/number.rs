//! Numbers in publisher fields (`extra`), in one canonical text that reads back as itself.
//!
//! JSON numbers are kept as their text (serde_json's `arbitrary_precision`), so a 28-digit
//! integer or a decimal of 24 significant digits is stored and answered exactly. The canonical
//! text of a number is:
//! - an integer that a 64-bit integer holds: as it is (JSON allows no leading zeros);
//! - any other number whose double's shortest text (as serde_json writes a double: `1.5`,
//!   `100.0`, `1e+27`) denotes the same decimal: that shortest text. This is what listdiff
//!   wrote before numbers were kept exactly, so stores written then hash and answer the same;
//! - any other number (more digits than a double holds, or beyond its range): the text as
//!   published, exactly (but for its exponent, which serde_json reads as `e+N` or `e-N`).
//!
//! The canonical text of a canonical text is itself, so an entry read back from the store
//! hashes as it did when it was recorded.

use serde_json::Number;

/// The canonical form of `number` (see the module documentation).
pub(crate) fn canonical(number: Number) -> Number {
    let text = number.as_str();
    let integer = !text.contains(['.', 'e', 'E']);
    if integer && text != "-0" && (text.parse::<u64>().is_ok() || text.parse::<i64>().is_ok()) {
        return number;
    }
    let Ok(double) = text.parse::<f64>() else {
        return number;
    };
    match Number::from_f64(double) {
        Some(shortest) if same_decimal(shortest.as_str(), text) => shortest,
        _ => number,
    }
}

/// A decimal number as its sign, its significant digits (no leading or trailing zeros; none for
/// zero) and the power of ten of its last digit; `None` when that power is beyond `i64`.
fn decimal_parts(text: &str) -> Option<(bool, String, i64)> {
    let negative = text.starts_with('-');
    let unsigned = text.trim_start_matches(['-', '+']);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let joined = format!("{whole}{fraction}");
    let without_trailing = joined.trim_end_matches('0');
    let digits = without_trailing.trim_start_matches('0');
    if digits.is_empty() {
        return Some((negative, String::new(), 0));
    }
    let trailing = joined.len() - without_trailing.len();
    let power = exponent
        .checked_sub(i64::try_from(fraction.len()).ok()?)?
        .checked_add(i64::try_from(trailing).ok()?)?;
    Some((negative, digits.to_string(), power))
}

/// True when the decimal texts `a` and `b` denote the same number exactly.
fn same_decimal(a: &str, b: &str) -> bool {
    match (decimal_parts(a), decimal_parts(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        let number: Number = serde_json::from_str(text).unwrap();
        canonical(number).as_str().to_string()
    }

    #[test]
    fn numbers_a_double_holds_take_its_shortest_text() {
        for (text, expected) in [
            ("7", "7"),
            ("-7", "-7"),
            ("18446744073709551615", "18446744073709551615"),
            ("1.50", "1.5"),
            ("1E2", "100.0"),
            ("1000000000000000000000000000", "1e+27"),
            ("0.10", "0.1"),
            ("-0", "-0.0"),
            ("0.0", "0.0"),
            ("1.8446744073709552e19", "1.8446744073709552e+19"),
        ] {
            assert_eq!(canon(text), expected, "{text}");
            assert_eq!(canon(expected), expected, "{expected} is canonical");
        }
    }

    #[test]
    fn other_numbers_are_kept_as_published() {
        for text in [
            "9113754543187964647302328665",
            "18446744073709551616",
            "-9223372036854775809",
            "1703.07600467400328638315",
            "1e+400",
            "-1e-400",
            "1e+99999999999999999999",
            "0.1000000000000000055511151231257827",
        ] {
            assert_eq!(canon(text), text);
        }
        // serde_json reads an exponent as `e+N` or `e-N`: the same number.
        assert_eq!(canon("1E400"), "1e+400");
    }

    #[test]
    fn decimals_compare_by_value() {
        assert!(same_decimal("1.50", "1.5"));
        assert!(same_decimal("150e-2", "1.5"));
        assert!(same_decimal("0.00", "0"));
        assert!(!same_decimal("-0", "0"));
        assert!(!same_decimal("1.5", "15"));
        assert!(!same_decimal("1e99999999999999999999", "1"));
    }
}
