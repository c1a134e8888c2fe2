//! Parsing a payload into a JSON tree while noticing repeated member names.
//!
//! RFC 8259 leaves an object with a repeated name undefined, and receivers disagree: most keep
//! the last (`{"code": "BOGUS", "code": "PAID"}` reads as PAID), some the first, some reject it.
//! serde_json keeps the last silently, so a payload could pass here and fail at the receiver.
//! This builds the same `serde_json::Value` serde_json would, and sets a flag when an insert
//! replaces a member: the check costs nothing beyond the insert that was happening anyway.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;

/// The parsed payload, and whether some object in it repeats a member name.
pub struct Parsed {
    pub value: Value,
    pub duplicate_keys: bool,
}

pub fn parse(bytes: &[u8]) -> Result<Parsed, serde_json::Error> {
    let duplicates = Cell::new(false);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Seed(&duplicates).deserialize(&mut de)?;
    de.end()?;
    Ok(Parsed {
        value,
        duplicate_keys: duplicates.get(),
    })
}

/// How serde_json's `arbitrary_precision` feature passes a number to a visitor: as a map with
/// this one key and the number's text as the value. Numbers are kept as written so that ranges,
/// integers, enums and uniqueness are decided on the exact decimal value, not a 64-bit float.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

#[derive(Clone, Copy)]
struct Seed<'f>(&'f Cell<bool>);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Object(object));
        };
        if first == NUMBER_TOKEN {
            // A number, as written: serde_json hands it over as a one-member map.
            let text: String = map.next_value()?;
            return text
                .parse::<Number>()
                .map(Value::Number)
                .map_err(serde::de::Error::custom);
        }
        let value = map.next_value_seed(self)?;
        object.insert(first, value);
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            if object.insert(key, value).is_some() {
                self.0.set(true);
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn notices_repeated_names_at_any_depth() {
        let p = parse(br#"{"code": "BOGUS", "code": "PAID"}"#).unwrap();
        assert!(p.duplicate_keys);
        assert_eq!(
            p.value,
            serde_json::json!({"code": "PAID"}),
            "the last wins, as in serde_json"
        );
        assert!(
            parse(br#"[{"a": {"b": 1, "b": 2}}]"#)
                .unwrap()
                .duplicate_keys
        );
        assert!(
            !parse(br#"{"a": {"a": 1}, "b": [{"a": 2}]}"#)
                .unwrap()
                .duplicate_keys
        );
        assert!(parse(b"{\"a\": 1} x").is_err());
    }

    proptest! {
        #[test]
        fn builds_what_serde_json_builds(text in "[\\[\\]{}\",:0-9a-c .eE+-]{0,60}") {
            let ours = parse(text.as_bytes()).map(|p| p.value).ok();
            let theirs = serde_json::from_str::<Value>(&text).ok();
            prop_assert_eq!(ours, theirs);
        }
    }
}
