//! Going back: the inverse of each op (what results run, new → old), and
//! which ops carry an exact round trip.

use serde_json::{Map, Value};

use super::{Add, Coerce, Custom, MapValues, Move, Op, Remove, Rename, Scoped, Unwrap, Wrap};

impl Op {
    /// The ops that undo this one (new → old), or `None` when it cannot be
    /// undone: a `remove` without `default`, a `clamp`, a `map_values` that
    /// merges values and gives no `reverse`, a `custom` without `inverse`, or
    /// any op marked `lossy`.
    pub fn inverse(&self) -> Option<Vec<Op>> {
        if self.declared_lossy() {
            return None;
        }
        let single = match self {
            Op::Rename(Rename { from, to }) => Op::Rename(Rename {
                from: from.with_leaf(to),
                to: from.leaf().to_owned(),
            }),
            Op::Add(Add { path, .. }) => Op::Remove(Remove {
                path: path.clone(),
                default: None,
                lossy: false,
            }),
            Op::Remove(Remove { path, default, .. }) => Op::Add(Add {
                path: path.clone(),
                default: Some(default.clone()?),
            }),
            // Filling a default changes nothing an old reader would miss.
            Op::SetDefault(_) => return Some(Vec::new()),
            Op::Move(Move { from, to }) => Op::Move(Move {
                from: to.clone(),
                to: from.clone(),
            }),
            Op::Wrap(Wrap { path }) => Op::Unwrap(Unwrap {
                path: path.clone(),
                lossy: false,
            }),
            Op::Unwrap(Unwrap { path, .. }) => Op::Wrap(Wrap { path: path.clone() }),
            Op::MapValues(op) => Op::MapValues(MapValues {
                path: op.path.clone(),
                map: op.reverse.clone().or_else(|| invert(&op.map))?,
                reverse: Some(op.map.clone()),
                lossy: false,
            }),
            Op::Coerce(op) => Op::Coerce(Coerce {
                path: op.path.clone(),
                from: op.to,
                to: op.from,
                separator: op.separator.clone(),
                rounding: None,
                lossy: false,
            }),
            Op::Clamp(_) => return None,
            Op::In(scoped) => Op::In(invert_scoped(scoped)?),
            Op::Each(scoped) => Op::Each(invert_scoped(scoped)?),
            Op::Custom(Custom {
                function, inverse, ..
            }) => Op::Custom(Custom {
                function: inverse.clone()?,
                inverse: Some(function.clone()),
                schema: None,
                lossy: false,
            }),
        };
        Some(vec![single])
    }

    /// Whether the op is marked `lossy: true` (or contains such an op).
    pub fn declared_lossy(&self) -> bool {
        match self {
            Op::Remove(op) => op.lossy,
            Op::Unwrap(op) => op.lossy,
            Op::MapValues(op) => op.lossy,
            Op::Coerce(op) => op.lossy,
            Op::Clamp(op) => op.lossy,
            Op::Custom(op) => op.lossy,
            Op::In(scoped) | Op::Each(scoped) => scoped.ops.iter().any(Op::declared_lossy),
            Op::Rename(_) | Op::Add(_) | Op::SetDefault(_) | Op::Move(_) | Op::Wrap(_) => false,
        }
    }

    /// Whether going forward and then back always restores the value (for
    /// the values the old version accepts). Property tests rely on this.
    pub fn round_trips(&self) -> bool {
        match self {
            // `add` writes a field the old version does not have, and going
            // back removes it again.
            Op::Rename(_) | Op::Move(_) | Op::Wrap(_) | Op::Add(_) => true,
            Op::MapValues(op) => {
                !op.lossy
                    && op.map.iter().all(|(key, value)| {
                        self.inverse()
                            .and_then(|ops| match ops.first() {
                                Some(Op::MapValues(back)) => {
                                    back.map.get(&super::value::map_key(value)).cloned()
                                }
                                _ => None,
                            })
                            .is_some_and(|restored| super::value::map_key(&restored) == *key)
                    })
            }
            Op::In(scoped) | Op::Each(scoped) => scoped.ops.iter().all(Op::round_trips),
            _ => false,
        }
    }
}

/// The inverse of a whole list: each op inverted, in reverse order.
pub fn invert_all(ops: &[Op]) -> Option<Vec<Op>> {
    let mut inverted = Vec::with_capacity(ops.len());
    for op in ops.iter().rev() {
        inverted.extend(op.inverse()?);
    }
    Some(inverted)
}

fn invert_scoped(scoped: &Scoped) -> Option<Scoped> {
    Some(Scoped {
        path: scoped.path.clone(),
        ops: invert_all(&scoped.ops)?,
    })
}

/// A one-to-one map of string results, turned around.
fn invert(map: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut inverted = Map::new();
    for (key, value) in map {
        let Value::String(value) = value else {
            return None;
        };
        if inverted
            .insert(value.clone(), Value::String(key.clone()))
            .is_some()
        {
            return None;
        }
    }
    Some(inverted)
}

#[cfg(test)]
mod tests {
    use super::super::{NoCustomOps, apply_all};
    use super::*;
    use serde_json::json;

    fn op(value: Value) -> Op {
        serde_json::from_value(value).unwrap()
    }

    fn round_trip(forward: &[Op], value: &Value) -> Value {
        let mut migrated = value.clone();
        apply_all(forward, &mut migrated, &NoCustomOps).unwrap();
        apply_all(
            &invert_all(forward).expect("invertible"),
            &mut migrated,
            &NoCustomOps,
        )
        .unwrap();
        migrated
    }

    #[test]
    fn reversible_ops_restore_the_value() {
        let forward: Vec<Op> = serde_json::from_value(json!([
            {"rename": {"from": "maxResults", "to": "limit"}},
            {"move": {"from": "category", "to": "filters.category"}},
            {"wrap": {"path": "tag"}},
            {"map_values": {"path": "sort", "map": {"date": "newest", "relevance": "best"}}},
            {"add": {"path": "page", "default": 1}},
            {"each": {"path": "items", "ops": [{"rename": {"from": "url", "to": "link"}}]}},
        ]))
        .unwrap();
        let value = json!({"maxResults": 3, "category": "news", "tag": "x", "sort": "date", "items": [{"url": "u"}]});
        assert_eq!(round_trip(&forward, &value), value);
        assert!(forward.iter().all(Op::round_trips));
    }

    #[test]
    fn ops_without_an_inverse() {
        for lossy in [
            json!({"remove": {"path": "a"}}),
            json!({"clamp": {"path": "a", "max": 1, "lossy": true}}),
            json!({"clamp": {"path": "a", "max": 1}}),
            json!({"map_values": {"path": "a", "map": {"x": "z", "y": "z"}}}),
            json!({"custom": {"fn": "f"}}),
            json!({"unwrap": {"path": "a", "lossy": true}}),
            json!({"in": {"path": "a", "ops": [{"remove": {"path": "b"}}]}}),
        ] {
            assert!(op(lossy.clone()).inverse().is_none(), "{lossy}");
        }
    }

    #[test]
    fn declared_reverses_make_ops_invertible() {
        let remove = op(json!({"remove": {"path": "legacy", "default": false}}));
        assert_eq!(
            remove.inverse().unwrap(),
            vec![op(json!({"add": {"path": "legacy", "default": false}}))]
        );
        let merge = op(
            json!({"map_values": {"path": "a", "map": {"x": "z", "y": "z"}, "reverse": {"z": "x"}}}),
        );
        assert!(merge.inverse().is_some());
        assert!(!merge.round_trips());
        let custom = op(json!({"custom": {"fn": "up", "inverse": "down"}}));
        assert_eq!(
            custom.inverse().unwrap(),
            vec![op(json!({"custom": {"fn": "down", "inverse": "up"}}))]
        );
    }
}
