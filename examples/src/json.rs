//! An arena-backed JSON value tree, loaded through serde.
//!
//! [`Json`] is `serde_json::Value`'s shape with handles instead of boxes:
//! arrays are [`ArcSlice`]s into `Json`'s per-thread pool, objects
//! [`ArcSlice`]s of [`Member`]s (a key and a value, in document order) in
//! `Member`'s pool, strings [`ArcStr`]s into `u8`'s. Values point at members
//! that point back at values, across two pools; both count each allocation,
//! so a tree is freed when the last handle to it goes. A `Json` is 24 bytes
//! (a `Value` is 32), a `Member` 40.
//!
//! ```
//! use arena_arc_examples::json::Json;
//!
//! let doc: Json = serde_json::from_str(r#"{"name": "arena", "sizes": [1, 2.5, -3]}"#).unwrap();
//! assert_eq!(doc.get("name").and_then(Json::as_str), Some("arena"));
//! assert_eq!(doc.get("sizes").map(|s| s.len()), Some(3));
//! let value: serde_json::Value = serde_json::from_str(r#"{"sizes": [1, 2.5, -3], "name": "arena"}"#).unwrap();
//! assert!(doc.same_as(&value));
//! assert_eq!(serde_json::to_string(&doc).unwrap(), r#"{"name":"arena","sizes":[1,2.5,-3]}"#);
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use arena_arc::{ArcSlice, ArcStr, ArenaAlloc};
use serde::de::value::{SeqAccessDeserializer, StrDeserializer};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A JSON value whose arrays, objects and strings live in arenas.
///
/// `#[repr(u64)]` gives it an 8-byte tag (the size stays 24 bytes): values
/// returned through memory by serde's visitors are then copied with
/// full-width loads. With a 1-byte tag those loads wait on the narrower
/// stores that wrote the value (a failed store-to-load forwarding), which
/// made loading canada.json about 25% slower.
#[derive(ArenaAlloc, Clone, Debug, PartialEq)]
#[arena(chunk = 4096, constructors = false)]
#[repr(u64)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    PosInt(u64),
    /// A negative integer.
    NegInt(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    String(ArcStr),
    /// An array.
    Array(ArcSlice<Json>),
    /// An object: its members, in document order.
    Object(ArcSlice<Member>),
}

/// A member of a JSON object.
#[derive(ArenaAlloc, Clone, Debug, PartialEq)]
#[arena(chunk = 1024, constructors = false)]
pub struct Member {
    /// The key.
    pub key: ArcStr,
    /// The value.
    pub value: Json,
}

impl Json {
    /// The value of `key`, if this is an object that has it (the first one,
    /// if the document repeats the key).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.entries()?
            .find(|(k, _)| *k == key)
            .map(|(_, value)| value)
    }

    /// The members of an object, in document order.
    pub fn entries(&self) -> Option<impl Iterator<Item = (&str, &Json)>> {
        match self {
            Json::Object(members) => Some(members.iter().map(|m| (m.key.as_str(), &m.value))),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number of elements of an array or members of an object; 0
    /// otherwise.
    pub fn len(&self) -> usize {
        match self {
            Json::Array(items) => items.len(),
            Json::Object(members) => members.len(),
            _ => 0,
        }
    }

    /// Whether [`Json::len`] is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether this tree holds the same data as `value`: same numbers (same
    /// kind and bits), strings, array order, and object members (`value`'s
    /// object is a sorted map, so members are compared by key).
    pub fn same_as(&self, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (self, value) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::PosInt(a), Value::Number(b)) => b.as_u64() == Some(*a),
            (Json::NegInt(a), Value::Number(b)) => b.is_i64() && b.as_i64() == Some(*a),
            (Json::Float(a), Value::Number(b)) => {
                b.is_f64() && b.as_f64().map(f64::to_bits) == Some(a.to_bits())
            }
            (Json::String(a), Value::String(b)) => **a == **b,
            (Json::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Json::Object(_), Value::Object(b)) => {
                self.len() == b.len()
                    && self
                        .entries()
                        .into_iter()
                        .flatten()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.same_as(w)))
            }
            _ => false,
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::PosInt(n))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(if n < 0 {
            Json::NegInt(n)
        } else {
            Json::PosInt(n as u64)
        })
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        Ok(Json::Float(n))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        // `ArcStr`'s own `Deserialize` puts the text in `u8`'s pool.
        ArcStr::deserialize(StrDeserializer::new(s)).map(Json::String)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Json, A::Error> {
        // `ArcSlice`'s own `Deserialize`: collected, then moved into the pool.
        ArcSlice::deserialize(SeqAccessDeserializer::new(seq)).map(Json::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(key) = map.next_key::<ArcStr>()? {
            let value = map.next_value::<Json>()?;
            members.push(Member { key, value });
        }
        Ok(Json::Object(Member::alloc_vec(members)))
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::PosInt(n) => serializer.serialize_u64(*n),
            Json::NegInt(n) => serializer.serialize_i64(*n),
            Json::Float(n) => serializer.serialize_f64(*n),
            Json::String(s) => s.serialize(serializer),
            Json::Array(items) => items.serialize(serializer),
            Json::Object(_) => {
                let mut map = serializer.serialize_map(Some(self.len()))?;
                for (key, value) in self.entries().into_iter().flatten() {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// The three standard inputs.
pub const FILES: [&str; 3] = ["canada.json", "citm_catalog.json", "twitter.json"];

/// Where the inputs are by default: `../shared/data/json/` from the project
/// root.
pub fn default_dir() -> PathBuf {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = examples.parent().unwrap_or(examples);
    root.join("../shared/data/json")
}

/// A document to load.
#[derive(Debug)]
pub struct Input {
    /// Its file name, with ` (generated)` when a generated document stands
    /// in for a missing file.
    pub label: String,
    /// The name without `.json` (`canada`), the same for a stand-in.
    pub stem: String,
    /// The document.
    pub text: Vec<u8>,
}

/// Reads the inputs: `path` if it is a file; else [`FILES`] in `path`, or
/// in `ARENA_ARC_JSON_DIR`, or in [`default_dir`]. A file that cannot be
/// read is reported on stderr and replaced by a [`generated_document`] of
/// its usual size.
pub fn inputs(path: Option<PathBuf>) -> Vec<Input> {
    let path = path.or_else(|| std::env::var_os("ARENA_ARC_JSON_DIR").map(PathBuf::from));
    let files: Vec<PathBuf> = match path {
        Some(file) if file.is_file() => vec![file],
        dir => {
            let dir = dir.unwrap_or_else(default_dir);
            FILES.iter().map(|name| dir.join(name)).collect()
        }
    };
    files
        .into_iter()
        .map(|file| {
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let stem = name.strip_suffix(".json").unwrap_or(&name).to_owned();
            match std::fs::read(&file) {
                Ok(text) => Input {
                    label: name,
                    stem,
                    text,
                },
                Err(err) => {
                    let size = match name.as_str() {
                        "canada.json" => 2_251_051,
                        "citm_catalog.json" => 1_727_204,
                        _ => 631_514,
                    };
                    eprintln!(
                        "note: cannot read {} ({err}); pass a directory or set \
                         ARENA_ARC_JSON_DIR. Using a generated document of {size} bytes instead.",
                        file.display()
                    );
                    Input {
                        label: format!("{name} (generated)"),
                        stem,
                        text: generated_document(size).into_bytes(),
                    }
                }
            }
        })
        .collect()
}

/// A deterministic JSON document of roughly `target_bytes`, shaped like the
/// three standard inputs together: objects with integer ids and short
/// strings (some with escapes and non-ASCII text), arrays of coordinate
/// pairs, and nesting. Used when the real files are absent.
pub fn generated_document(target_bytes: usize) -> String {
    use std::fmt::Write;

    let mut out = String::with_capacity(target_bytes + 1024);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    out.push_str(r#"{"generated":true,"items":["#);
    let mut id = 0u64;
    while out.len() < target_bytes {
        if id > 0 {
            out.push(',');
        }
        let r = next();
        write!(
            out,
            r#"{{"id":{id},"name":"item {id} \u00e9\u4e2d\"q\"","score":{},"delta":-{},"tags":["a","b{}"],"#,
            (r % 10_000) as f64 / 7.0,
            r % 97,
            r % 5,
        )
        .expect("writing to a String");
        out.push_str(r#""ring":["#);
        for i in 0..(r % 16) {
            if i > 0 {
                out.push(',');
            }
            let x = next();
            write!(
                out,
                "[{:.6},{:.6}]",
                (x % 360_000) as f64 / 1000.0 - 180.0,
                (x >> 20) % 180_000 / 1000
            )
            .expect("writing to a String");
        }
        out.push_str(r#"],"meta":{"ok":"#);
        out.push_str(if r % 3 == 0 { "true" } else { "false" });
        out.push_str(r#","parent":null}}"#);
        id += 1;
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e300f64..1e300).prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\u{e9}\"]{0,6}", inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: if cfg!(miri) { 4 } else { 256 },
            // No files: Miri isolates the file system.
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Loading any document gives the same data as `serde_json::Value`,
        /// and writing it back gives the same text.
        #[test]
        fn loads_the_same_data_as_serde_json_value(value in value()) {
            let text = serde_json::to_string(&value).unwrap();
            // serde_json's default float parsing may differ from the
            // original in the last bit; compare with what it loads.
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            let tree: Json = serde_json::from_str(&text).unwrap();
            prop_assert!(tree.same_as(&value), "{tree:?} vs {value:?}");
            prop_assert_eq!(serde_json::to_string(&tree).unwrap(), value.to_string());
        }
    }

    #[test]
    fn a_value_is_24_bytes_and_a_member_40() {
        assert_eq!(std::mem::size_of::<Json>(), 24);
        assert_eq!(std::mem::size_of::<Option<Json>>(), 24);
        assert_eq!(std::mem::size_of::<Member>(), 40);
    }

    #[test]
    fn a_tree_across_the_value_and_member_pools_is_freed_while_they_live() {
        std::thread::spawn(|| {
            let doc = r#"{"a": {"b": [1, {"c": "d"}], "e": []}, "f": [{"g": null}]}"#;
            for _ in 0..50 {
                let tree: Json = serde_json::from_str(doc).unwrap();
                assert_eq!(
                    tree.get("a").and_then(|a| a.get("b")).map(Json::len),
                    Some(2)
                );
                let weak = match &tree {
                    Json::Object(members) => arena_arc::ArcSlice::downgrade(members),
                    _ => unreachable!("an object"),
                };
                drop(tree);
                assert!(weak.upgrade().is_none(), "values and members are freed");
                assert!(Json::pool_stats().live_chunks <= 1);
                assert!(Member::pool_stats().live_chunks <= 1);
            }
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_difference_anywhere_is_noticed() {
        let value: serde_json::Value =
            serde_json::from_str(r#"{"a": [1, -2, 3.5, "x", null, true], "b": {}}"#).unwrap();
        for other in [
            r#"{"a": [1, -2, 3.5, "x", null, false], "b": {}}"#,
            r#"{"a": [1, -2, 3.5, "y", null, true], "b": {}}"#,
            r#"{"a": [1, -2, 3.25, "x", null, true], "b": {}}"#,
            r#"{"a": [1, 2, 3.5, "x", null, true], "b": {}}"#,
            r#"{"a": [1.0, -2, 3.5, "x", null, true], "b": {}}"#,
            r#"{"a": [1, -2, 3.5, "x", null], "b": {}}"#,
            r#"{"a": [1, -2, 3.5, "x", null, true], "c": {}}"#,
            r#"{"a": [1, -2, 3.5, "x", null, true]}"#,
            r#"{"a": [1, -2, 3.5, "x", null, true], "b": []}"#,
        ] {
            let tree: Json = serde_json::from_str(other).unwrap();
            assert!(!tree.same_as(&value), "{other} should differ");
        }
        let tree: Json = serde_json::from_str(&value.to_string()).unwrap();
        assert!(tree.same_as(&value));
    }

    #[test]
    fn malformed_input_is_an_error() {
        let text = r#"{"a": [1, "two", {"b": null}], "c": "\u00e9"}"#;
        for end in 0..text.len() {
            let Some(prefix) = text.get(..end) else {
                continue;
            };
            let err = serde_json::from_str::<Json>(prefix).unwrap_err();
            assert!(err.is_eof() || err.is_syntax(), "{prefix}: {err}");
        }
        assert!(serde_json::from_str::<Json>(text).is_ok());
        assert!(serde_json::from_str::<Json>(r#"{"a": [1,]}"#).is_err());
    }

    #[test]
    fn the_generated_document_is_valid_and_about_the_size_asked() {
        // Smaller under Miri, which parses slowly.
        let size = if cfg!(miri) { 2_000 } else { 50_000 };
        let doc = generated_document(size);
        assert!((size..size + 10_000).contains(&doc.len()), "{}", doc.len());
        let value: serde_json::Value = serde_json::from_str(&doc).unwrap();
        let tree: Json = serde_json::from_str(&doc).unwrap();
        assert!(tree.same_as(&value));
        assert!(tree.get("items").unwrap().len() > size / 500);
    }
}
