//! Instances of a JSON Schema: boundary values (every numeric bound at its
//! extreme, every optional property absent and present, every enum value,
//! every branch of a union) and seeded random values, all filtered through
//! the compiled validator so only valid instances come out.
//!
//! One walker does all of it. It builds a value top-down and, wherever the
//! schema leaves a choice (which enum value, which type, which branch, a
//! property or not, how big a number), asks [`Walk::choose`]. The smallest
//! boundary instance takes the first option everywhere, the largest the
//! last; the others are the largest with one choice turned to each of its
//! other options. Random instances take random options.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::sync::Arc;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Number, Value, json};

use super::keywords::{self, Range, keyword};

/// Deeper than this a schema is taken as recursive: optional properties are
/// left out and arrays kept short, and past twice this nothing is generated.
const SHALLOW_DEPTH: usize = 8;
/// Longest string the largest instance gets for an unbounded `maxLength`.
const LONG_STRING: u64 = 24;
/// Longest string a bounded `maxLength` is taken up to.
const MAX_STRING: u64 = 512;
/// Most items an array gets.
const MAX_ITEMS: u64 = 16;
/// The extremes of an unbounded number.
const FAR: f64 = 1_000_000.0;
/// The schema that allows any value.
static ANYTHING: Value = Value::Bool(true);

/// Makes instances of one schema.
pub struct Generator {
    /// Shared with every walk, which reads it while the generator's
    /// pattern cache changes.
    schema: Arc<Value>,
    validator: jsonschema::Validator,
    patterns: HashMap<String, Option<rand_regex::Regex>>,
}

impl Generator {
    /// Compiles `schema`'s validator.
    pub fn new(schema: &Value) -> Result<Self, String> {
        let validator = jsonschema::validator_for(schema).map_err(|e| e.to_string())?;
        Ok(Self {
            schema: Arc::new(schema.clone()),
            validator,
            patterns: HashMap::new(),
        })
    }

    /// Whether `value` is valid under the schema.
    pub fn accepts(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }

    /// Up to `limit` distinct valid boundary instances, the smallest first,
    /// then the largest, then the largest with one choice varied at a time.
    /// They do not depend on any seed.
    pub fn boundaries(&mut self, limit: usize) -> Vec<Value> {
        let mut out = Distinct::default();
        let mut sites = Vec::new();
        for base in [Base::Low, Base::High] {
            let mut walk = Walk::new(self, Mode::Base(base), None);
            walk.sites = Some(Vec::new());
            let value = walk.root();
            sites.extend(
                walk.sites
                    .take()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|site| (base, site)),
            );
            if let Some(value) = value {
                out.offer(self, value, limit);
            }
        }
        let mut seen = HashSet::new();
        for (base, site) in sites {
            if out.values.len() >= limit {
                break;
            }
            if !seen.insert((site.at.clone(), site.kind)) {
                continue;
            }
            // The base already took its own option at this site.
            let taken = match base {
                Base::Low => 0,
                Base::High => site.options - 1,
            };
            for option in (0..site.options).filter(|o| *o != taken) {
                let forced = Some((site.at.clone(), site.kind, option));
                if let Some(value) = Walk::new(self, Mode::Base(base), forced).root() {
                    out.offer(self, value, limit);
                }
            }
        }
        out.values
    }

    /// Up to `count` distinct valid random instances for `seed`; the same
    /// seed gives the same instances.
    pub fn random(&mut self, seed: u64, count: usize) -> Vec<Value> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut out = Distinct::default();
        // Some schemas are hard to hit (patterns, narrow combinations); a few
        // tries per instance, then settle for fewer.
        for _ in 0..count.saturating_mul(3) {
            if out.values.len() >= count {
                break;
            }
            let inner = rng.random::<u64>();
            if let Some(value) = Walk::new(self, Mode::Random(inner), None).root() {
                out.offer(self, value, count);
            }
        }
        out.values
    }

    /// The boundary instances (at most `count` of them), then `count`
    /// random ones, without repeats.
    pub fn instances(&mut self, seed: u64, count: usize) -> Vec<Value> {
        let mut all = Distinct::default();
        for value in self.boundaries(count) {
            all.push(value);
        }
        for value in self.random(seed, count) {
            all.push(value);
        }
        all.values
    }

    fn pattern(&mut self, pattern: &str) -> Option<&rand_regex::Regex> {
        self.patterns
            .entry(pattern.to_owned())
            .or_insert_with(|| compile_pattern(pattern))
            .as_ref()
    }
}

/// A pattern as a string generator: ASCII classes first (`\d` is then
/// `[0-9]`), full Unicode when the pattern needs it.
fn compile_pattern(pattern: &str) -> Option<rand_regex::Regex> {
    let ascii = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .build()
        .parse(pattern);
    let hir = match ascii {
        Ok(hir) => hir,
        Err(_) => regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .ok()?,
    };
    rand_regex::Regex::with_hir(without_anchors(hir), 6).ok()
}

/// `hir` with anchors and word boundaries read as empty: the generator
/// cannot place them, and a string built without them still matches an
/// anchored pattern that only anchors its ends. The validator catches the
/// rest.
fn without_anchors(hir: regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};
    if matches!(
        hir.kind(),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_)
    ) {
        return hir;
    }
    match hir.into_kind() {
        HirKind::Look(_) => Hir::empty(),
        HirKind::Concat(parts) => Hir::concat(parts.into_iter().map(without_anchors).collect()),
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.into_iter().map(without_anchors).collect())
        }
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            sub: Box::new(without_anchors(*repetition.sub)),
            ..repetition
        }),
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(without_anchors(*capture.sub)),
            ..capture
        }),
        _ => Hir::empty(),
    }
}

/// Values without repeats. Repeats are told by a fingerprint: a rare
/// collision only drops an instance.
#[derive(Default)]
struct Distinct {
    values: Vec<Value>,
    seen: HashSet<u64>,
}

impl Distinct {
    fn push(&mut self, value: Value) -> bool {
        let mut hasher = Fx(0);
        fingerprint(&value, &mut hasher);
        let inserted = self.seen.insert(hasher.finish());
        if inserted {
            self.values.push(value);
        }
        inserted
    }

    fn offer(&mut self, generator: &Generator, value: Value, limit: usize) {
        if self.values.len() < limit && generator.accepts(&value) {
            self.push(value);
        }
    }
}

/// A multiply-rotate hash over eight bytes at a time (as in rustc's
/// FxHasher): fingerprints are compared within one run, so any decent hash
/// does, and this one is far cheaper than SipHash on long strings.
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn fingerprint(value: &Value, hasher: &mut impl Hasher) {
    match value {
        Value::Null => hasher.write_u8(0),
        Value::Bool(b) => hasher.write_u8(1 + u8::from(*b)),
        Value::Number(n) => {
            hasher.write_u8(3);
            match n.as_i64() {
                Some(i) => hasher.write_i64(i),
                None => hasher.write_u64(n.as_f64().unwrap_or_default().to_bits()),
            }
        }
        Value::String(text) => {
            hasher.write_u8(4);
            hasher.write(text.as_bytes());
            hasher.write_u8(0xff);
        }
        Value::Array(items) => {
            hasher.write_u8(5);
            hasher.write_usize(items.len());
            items.iter().for_each(|item| fingerprint(item, hasher));
        }
        Value::Object(map) => {
            hasher.write_u8(6);
            hasher.write_usize(map.len());
            for (key, item) in map {
                hasher.write(key.as_bytes());
                hasher.write_u8(0xff);
                fingerprint(item, hasher);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base {
    /// The first option of every choice: no optional properties, lower
    /// bounds, shortest strings and arrays, the first enum value.
    Low,
    /// The last option of every choice.
    High,
}

#[derive(Clone, Copy)]
enum Mode {
    Base(Base),
    Random(u64),
}

/// A choice point met while walking: the value's pointer, which choice,
/// and how many options it has.
struct Site {
    at: String,
    kind: &'static str,
    options: usize,
}

/// A choice point and the option it is held at.
type Forced = (String, &'static str, usize);

struct Walk<'g> {
    generator: &'g mut Generator,
    mode: Mode,
    rng: Xoshiro256PlusPlus,
    /// One choice held at a given option.
    forced: Option<Forced>,
    /// Choice points seen, when collecting them.
    sites: Option<Vec<Site>>,
}

impl<'g> Walk<'g> {
    fn new(generator: &'g mut Generator, mode: Mode, forced: Option<Forced>) -> Self {
        let seed = match mode {
            Mode::Base(Base::Low) => 0,
            Mode::Base(Base::High) => 1,
            Mode::Random(seed) => seed,
        };
        Self {
            generator,
            mode,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            forced,
            sites: None,
        }
    }

    fn root(&mut self) -> Option<Value> {
        let schema = Arc::clone(&self.generator.schema);
        self.value(&schema, "", 0)
    }

    /// Picks one of `options` at the choice point `kind` of the value at `at`.
    fn choose(&mut self, at: &str, kind: &'static str, options: usize) -> usize {
        if options <= 1 {
            return 0;
        }
        if let Some((forced_at, forced_kind, option)) = &self.forced
            && forced_at == at
            && *forced_kind == kind
        {
            return *option;
        }
        let choice = match self.mode {
            Mode::Base(Base::Low) => 0,
            Mode::Base(Base::High) => options - 1,
            Mode::Random(_) => self.rng.random_range(0..options),
        };
        if let Some(sites) = &mut self.sites {
            sites.push(Site {
                at: at.to_owned(),
                kind,
                options,
            });
        }
        choice
    }

    /// Whether choice points are being located: only then do values need
    /// their pointers (building them costs more than the rest of a walk).
    fn tracking(&self) -> bool {
        self.forced.is_some() || self.sites.is_some()
    }

    /// The pointer of `parent`'s child `name`, when tracking.
    fn child(&self, parent: &str, name: &str) -> String {
        if self.tracking() {
            let mut pointer = String::with_capacity(parent.len() + name.len() + 1);
            pointer.push_str(parent);
            pointer.push('/');
            if name.contains(['~', '/']) {
                pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
            } else {
                pointer.push_str(name);
            }
            pointer
        } else {
            String::new()
        }
    }

    fn is_random(&self) -> bool {
        matches!(self.mode, Mode::Random(_))
    }

    fn value(&mut self, schema: &Value, at: &str, depth: usize) -> Option<Value> {
        if depth > SHALLOW_DEPTH * 2 {
            return None;
        }
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(false) => return None,
            _ => return Some(self.anything(at)),
        };
        if let Some(Value::String(reference)) = keyword(map, "$ref") {
            let root = Arc::clone(&self.generator.schema);
            let target = keywords::resolve(&root, reference)?;
            let mut rest = map.clone();
            rest.remove("$ref");
            let merged = keywords::conjoin(&rest, target);
            return self.value(&Value::Object(merged), at, depth + 1);
        }
        if let Some(Value::Array(all)) = keyword(map, "allOf") {
            let mut merged = map.clone();
            merged.remove("allOf");
            for branch in all {
                merged = keywords::conjoin(&merged, branch);
            }
            return self.value(&Value::Object(merged), at, depth + 1);
        }
        for union in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = keyword(map, union)
                && !branches.is_empty()
            {
                let pick = self.choose(at, union, branches.len());
                let mut rest = map.clone();
                rest.remove(union);
                let merged = keywords::conjoin(&rest, &branches[pick]);
                return self.value(&Value::Object(merged), at, depth + 1);
            }
        }
        if let Some(constant) = keyword(map, "const") {
            return Some(constant.clone());
        }
        if let Some(Value::Array(values)) = keyword(map, "enum") {
            if values.is_empty() {
                return None;
            }
            let pick = self.choose(at, "enum", values.len());
            return Some(values[pick].clone());
        }
        // Authors' own examples are good instances, and the only ones for
        // patterns the generator cannot invert.
        let samples: Vec<&Value> = keyword(map, "examples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(keyword(map, "default"))
            .collect();
        if self.is_random() && !samples.is_empty() && self.rng.random_ratio(1, 8) {
            let pick = self.rng.random_range(0..samples.len());
            return Some(samples[pick].clone());
        }
        let generated = self.typed(map, at, depth);
        if generated.is_none() && !samples.is_empty() {
            let pick = self.choose(at, "sample", samples.len());
            return Some(samples[pick].clone());
        }
        generated
    }

    /// A value of one of the types `map` allows.
    fn typed(&mut self, map: &Map<String, Value>, at: &str, depth: usize) -> Option<Value> {
        let types = keywords::value_types(map);
        if types.is_empty() {
            return None;
        }
        let ty = types[self.choose(at, "type", types.len())];
        match ty {
            "null" => Some(Value::Null),
            "boolean" => Some(Value::Bool(self.choose(at, "bool", 2) == 1)),
            "integer" => self.integer(map, at),
            "number" => self.number(map, at),
            "string" => self.string(map, at),
            "array" => self.array(map, at, depth),
            _ => self.object(map, at, depth),
        }
    }

    /// A value for a schema that allows anything.
    fn anything(&mut self, at: &str) -> Value {
        let options = [Value::Null, json!(true), json!(0), json!("any")];
        options[self.choose(at, "any", options.len())].clone()
    }

    /// 0 for the low end, 2 for the high end, 1 for a value inside.
    fn extent(&mut self, at: &str, kind: &'static str) -> usize {
        match self.mode {
            Mode::Random(_) => {
                // Ends often, since that is where ranges break.
                match self.rng.random_range(0..8) {
                    0 => 0,
                    1 => 2,
                    _ => 1,
                }
            }
            Mode::Base(_) => {
                let pick = self.choose(at, kind, 2);
                pick * 2
            }
        }
    }

    fn integer(&mut self, map: &Map<String, Value>, at: &str) -> Option<Value> {
        let range = Range::of(map);
        let (low, high) = range.integral();
        let step = range
            .multiple_of
            .filter(|m| m.fract() == 0.0)
            .unwrap_or(1.0);
        // A missing bound lies FAR beyond the other one (or beyond zero).
        let (low, high) = match (low, high) {
            (Some(low), Some(high)) => (low, high),
            (Some(low), None) => (low, (low + FAR).max(FAR)),
            (None, Some(high)) => ((high - FAR).min(-FAR), high),
            (None, None) => (-FAR, FAR),
        };
        let (first, last) = ((low / step).ceil(), (high / step).floor());
        if first > last {
            return None;
        }
        let k = match self.extent(at, "range") {
            0 => first,
            2 => last,
            _ => {
                let near = (last - first).min(200.0);
                first + self.rng.random_range(0..=near as i64) as f64
            }
        };
        let n = k * step;
        if n.abs() > 9.0e15 {
            return None;
        }
        Some(Value::from(n as i64))
    }

    fn number(&mut self, map: &Map<String, Value>, at: &str) -> Option<Value> {
        let range = Range::of(map);
        if let Some(step) = range.multiple_of {
            let low = range.low.map_or(-FAR, |b| b.value);
            let high = range.high.map_or(FAR, |b| b.value);
            let (mut first, mut last) = ((low / step).ceil(), (high / step).floor());
            if range.low.is_some_and(|b| b.exclusive) && first * step <= low {
                first += 1.0;
            }
            if range.high.is_some_and(|b| b.exclusive) && last * step >= high {
                last -= 1.0;
            }
            if first > last {
                return None;
            }
            let k = match self.extent(at, "range") {
                0 => first,
                2 => last,
                _ => first + self.rng.random_range(0..=(last - first).min(200.0) as i64) as f64,
            };
            return Number::from_f64(k * step).map(Value::Number);
        }
        let nudge = |x: f64| (x.abs() * 1e-9).max(1e-9);
        let low = range.low.map_or(-FAR, |b| {
            if b.exclusive {
                b.value + nudge(b.value)
            } else {
                b.value
            }
        });
        let high = range.high.map_or(FAR, |b| {
            if b.exclusive {
                b.value - nudge(b.value)
            } else {
                b.value
            }
        });
        if low > high {
            return None;
        }
        let x = match self.extent(at, "range") {
            0 => low,
            2 => high,
            _ => {
                // Two decimals keep counterexamples readable; some values
                // are whole, which integers of a later version accept.
                let span = (high - low).min(1000.0);
                let x = low + self.rng.random_range(0.0..=1.0) * span;
                if self.rng.random_bool(0.3) {
                    x.round()
                } else {
                    (x * 100.0).round() / 100.0
                }
            }
        };
        Number::from_f64(x.clamp(low, high)).map(Value::Number)
    }

    fn string(&mut self, map: &Map<String, Value>, at: &str) -> Option<Value> {
        let min = keywords::count(map, "minLength").unwrap_or(0);
        let max = keywords::count(map, "maxLength");
        if let Some(format) = keyword(map, "format").and_then(Value::as_str)
            && let Some(text) = self.formatted(format, at)
        {
            return Some(Value::String(text));
        }
        if let Some(Value::String(pattern)) = keyword(map, "pattern") {
            let pattern = pattern.clone();
            // Low and High still differ: each walk has its own fixed seed.
            for _ in 0..16 {
                let rng = &mut self.rng;
                let text: Option<String> = self
                    .generator
                    .pattern(&pattern)
                    .map(|regex| rng.sample::<String, _>(regex));
                let text = text?;
                let length = text.chars().count() as u64;
                if length >= min && max.is_none_or(|max| length <= max) {
                    return Some(Value::String(text));
                }
            }
            return None;
        }
        let longest = max.unwrap_or(min + LONG_STRING).min(min.max(MAX_STRING));
        if longest < min {
            return None;
        }
        let length = match self.extent(at, "range") {
            0 => min,
            2 => longest,
            _ => self.rng.random_range(min..=longest.min(min + 12)),
        };
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut text = String::with_capacity(length as usize);
        for i in 0..length as usize {
            let index = if self.is_random() {
                self.rng.random_range(0..LETTERS.len())
            } else {
                i % 26
            };
            text.push(LETTERS[index] as char);
        }
        Some(Value::String(text))
    }

    /// A simple valid value of a common `format`.
    fn formatted(&mut self, format: &str, at: &str) -> Option<String> {
        let (year, month, day, hour, minute, second) = match self.extent(at, "range") {
            0 => (1970, 1, 1, 0, 0, 0),
            2 => (2099, 12, 31, 23, 59, 59),
            _ => (
                self.rng.random_range(1990..2040),
                self.rng.random_range(1..=12),
                self.rng.random_range(1..=28),
                self.rng.random_range(0..24),
                self.rng.random_range(0..60),
                self.rng.random_range(0..60),
            ),
        };
        let n: u32 = self.rng.random_range(0..1000);
        Some(match format {
            "date" => format!("{year:04}-{month:02}-{day:02}"),
            "date-time" => {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
            }
            "time" => format!("{hour:02}:{minute:02}:{second:02}Z"),
            "email" | "idn-email" => format!("user{n}@example.com"),
            "uri" | "iri" | "url" => format!("https://example.com/item/{n}"),
            "uri-reference" | "iri-reference" => format!("/item/{n}"),
            "hostname" | "idn-hostname" => format!("host{n}.example.com"),
            "ipv4" => format!("192.0.2.{}", n % 256),
            "ipv6" => format!("2001:db8::{:x}", n),
            "uuid" => format!("00000000-0000-4000-8000-{:012x}", n),
            "duration" => format!("P{}D", n % 30 + 1),
            _ => return None,
        })
    }

    fn array(&mut self, map: &Map<String, Value>, at: &str, depth: usize) -> Option<Value> {
        let min = keywords::count(map, "minItems").unwrap_or(0);
        let cap = if depth > SHALLOW_DEPTH {
            min
        } else {
            min.max(MAX_ITEMS)
        };
        let longest = keywords::count(map, "maxItems").unwrap_or(min + 2).min(cap);
        if longest < min {
            return None;
        }
        let length = match self.extent(at, "items") {
            0 => min,
            2 => longest,
            _ => self.rng.random_range(min..=longest.min(min + 4)),
        };
        let prefix: &[Value] = keyword(map, "prefixItems")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let rest = keyword(map, "items").unwrap_or(&ANYTHING);
        let unique = keyword(map, "uniqueItems") == Some(&Value::Bool(true));
        let mut items: Vec<Value> = Vec::with_capacity(length as usize);
        for i in 0..length as usize {
            let schema = prefix.get(i).unwrap_or(rest);
            // Choices inside the first item stand for every item.
            let item_at = self.child(at, if i == 0 { "0" } else { "1" });
            let mut item = self.value(schema, &item_at, depth + 1)?;
            if unique {
                let mut tries = 0;
                while items.contains(&item) && tries < 8 {
                    item = self.varied(schema, &item_at, depth)?;
                    tries += 1;
                }
                if items.contains(&item) {
                    break;
                }
            }
            items.push(item);
        }
        Some(Value::Array(items))
    }

    /// Another value for `schema`, drawn at random even in a boundary walk
    /// (distinct items of a `uniqueItems` array).
    fn varied(&mut self, schema: &Value, at: &str, depth: usize) -> Option<Value> {
        let seed = self.rng.random::<u64>();
        let mode = std::mem::replace(&mut self.mode, Mode::Random(seed));
        let sites = self.sites.take();
        let value = self.value(schema, at, depth + 1);
        self.mode = mode;
        self.sites = sites;
        value
    }

    fn object(&mut self, map: &Map<String, Value>, at: &str, depth: usize) -> Option<Value> {
        let required: Vec<&str> = keyword(map, "required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let empty = Map::new();
        let properties = keyword(map, "properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let additional = keyword(map, "additionalProperties").unwrap_or(&ANYTHING);
        let mut object = Map::new();
        for (name, schema) in properties {
            let child = self.child(at, name);
            let present = required.contains(&name.as_str())
                || (depth <= SHALLOW_DEPTH && self.choose(&child, "present", 2) == 1);
            if present {
                object.insert(name.clone(), self.value(schema, &child, depth + 1)?);
            }
        }
        for name in required {
            if !object.contains_key(name) {
                let child = self.child(at, name);
                object.insert(name.to_owned(), self.value(additional, &child, depth + 1)?);
            }
        }
        // An undeclared property, where the schema allows one: a later
        // version that closes the object must cope with it.
        let open = *additional != Value::Bool(false) && keyword(map, "patternProperties").is_none();
        let wanted = keywords::count(map, "minProperties").unwrap_or(0) as usize;
        let extra = open
            && depth <= SHALLOW_DEPTH
            && (object.len() < wanted || self.choose(at, "extra", 2) == 1);
        if extra {
            let mut n = 0;
            while object.len() < wanted.max(object.len() + 1) && n < 8 {
                let name = if n == 0 {
                    "extra".to_owned()
                } else {
                    format!("extra{n}")
                };
                n += 1;
                if properties.contains_key(&name) || object.contains_key(&name) {
                    continue;
                }
                let child = self.child(at, &name);
                object.insert(name, self.value(additional, &child, depth + 1)?);
            }
        }
        Some(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search_v1() -> Value {
        json!({
            "type": "object",
            "required": ["query"],
            "additionalProperties": false,
            "properties": {
                "query": {"type": "string", "minLength": 1},
                "maxResults": {"type": "integer", "minimum": 1, "maximum": 100},
                "sortBy": {"type": "string", "enum": ["relevance", "date", "title"]},
                "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                "step": {"type": "integer", "multipleOf": 5, "minimum": 3, "maximum": 42},
                "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
                "since": {"type": "string", "format": "date"},
                "at": {"type": "string", "format": "date-time"},
                "owner": {"type": "string", "format": "email"},
                "note": {"type": ["string", "null"], "maxLength": 5},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}, "uniqueItems": true, "minItems": 1, "maxItems": 3},
                "range": {"$ref": "#/$defs/range"},
                "either": {"oneOf": [{"type": "boolean"}, {"type": "object", "required": ["x"], "properties": {"x": {"const": 1}}, "additionalProperties": false}]}
            },
            "$defs": {
                "range": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}
                }
            }
        })
    }

    #[test]
    fn every_instance_is_valid() {
        let schema = search_v1();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut generator = Generator::new(&schema).unwrap();
        let all = generator.instances(7, 64);
        assert!(all.len() > 64, "only {} instances", all.len());
        for value in &all {
            assert!(validator.is_valid(value), "{value}");
        }
    }

    #[test]
    fn boundaries_reach_every_extreme_and_option() {
        let mut generator = Generator::new(&search_v1()).unwrap();
        let all = generator.boundaries(200);
        let seen =
            |pointer: &str, value: Value| all.iter().any(|v| v.pointer(pointer) == Some(&value));
        assert_eq!(all[0], json!({"query": "a"}), "the smallest comes first");
        for (pointer, value) in [
            ("/maxResults", json!(1)),
            ("/maxResults", json!(100)),
            ("/step", json!(5)),
            ("/step", json!(40)),
            ("/sortBy", json!("relevance")),
            ("/sortBy", json!("date")),
            ("/sortBy", json!("title")),
            ("/note", Value::Null),
            ("/note", json!("abcde")),
            ("/either", json!(true)),
            ("/either", json!({"x": 1})),
            ("/tags/0", json!("a")),
        ] {
            assert!(
                seen(pointer, value.clone()),
                "no boundary has {pointer} = {value}"
            );
        }
        let ratio: Vec<f64> = all.iter().filter_map(|v| v["ratio"].as_f64()).collect();
        assert!(ratio.iter().any(|r| *r < 1e-6) && ratio.iter().any(|r| *r > 1.0 - 1e-6));
        // Every optional property is both absent and present somewhere.
        for name in ["maxResults", "sortBy", "code", "range", "either"] {
            assert!(
                all.iter().any(|v| v.get(name).is_none()),
                "{name} always present"
            );
            assert!(
                all.iter().any(|v| v.get(name).is_some()),
                "{name} never present"
            );
        }
    }

    #[test]
    fn unbounded_integers_reach_far_both_ways() {
        let schema = json!({
            "type": "object",
            "required": ["n", "above", "below"],
            "properties": {
                "n": {"type": "integer"},
                "above": {"type": "integer", "minimum": 3},
                "below": {"type": "integer", "maximum": -3},
            },
        });
        let all = Generator::new(&schema).unwrap().boundaries(50);
        let values =
            |name: &str| -> Vec<i64> { all.iter().filter_map(|v| v[name].as_i64()).collect() };
        let n = values("n");
        assert!(
            n.iter().any(|&x| x <= -1_000_000) && n.iter().any(|&x| x >= 1_000_000),
            "{n:?}"
        );
        let above = values("above");
        assert!(
            above.contains(&3) && above.iter().any(|&x| x >= 1_000_000),
            "{above:?}"
        );
        let below = values("below");
        assert!(
            below.contains(&-3) && below.iter().any(|&x| x <= -1_000_000),
            "{below:?}"
        );
    }

    #[test]
    fn boundaries_are_capped() {
        let mut generator = Generator::new(&search_v1()).unwrap();
        assert_eq!(generator.boundaries(5).len(), 5);
    }

    #[test]
    fn random_instances_depend_only_on_the_seed() {
        let schema = search_v1();
        let first = Generator::new(&schema).unwrap().random(42, 32);
        let again = Generator::new(&schema).unwrap().random(42, 32);
        let other = Generator::new(&schema).unwrap().random(43, 32);
        assert_eq!(first, again);
        assert_ne!(first, other);
        assert_eq!(first.len(), 32);
    }

    #[test]
    fn patterns_and_formats_produce_matching_strings() {
        let mut generator = Generator::new(&search_v1()).unwrap();
        let all = generator.random(1, 64);
        assert!(all.iter().any(|v| v.get("code").is_some()));
        assert!(all.iter().any(|v| v.get("owner").is_some()));
    }

    #[test]
    fn open_objects_get_undeclared_properties() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        let all = Generator::new(&schema).unwrap().boundaries(16);
        assert!(all.iter().any(|v| v.get("extra").is_some()), "{all:?}");
    }

    #[test]
    fn unsatisfiable_schemas_give_nothing() {
        let schema = json!({"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 4}}});
        let mut generator = Generator::new(&schema).unwrap();
        assert!(generator.instances(0, 16).is_empty());
    }

    #[test]
    fn recursive_schemas_stay_finite() {
        let schema = json!({
            "$ref": "#/$defs/node",
            "$defs": {"node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}
        });
        let mut generator = Generator::new(&schema).unwrap();
        assert!(!generator.instances(3, 16).is_empty());
    }
}
