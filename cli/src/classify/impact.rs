//! Semver arithmetic: how much a change needs, how much a version step
//! allows, and which version to release next. Before 1.0 the rules follow
//! Cargo: in `0.x.y` the minor part is the breaking one, and in `0.0.z`
//! every release may break.

use semver::{BuildMetadata, Prerelease, Version};

/// How big a release a change requires, or a version step allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Nothing changed (or the versions are equal).
    #[default]
    None,
    /// No contract change.
    Patch,
    /// Backward-compatible additions.
    Minor,
    /// Breaking.
    Major,
}

impl Impact {
    /// `none`, `patch`, `minor` or `major`.
    pub fn name(self) -> &'static str {
        match self {
            Impact::None => "none",
            Impact::Patch => "patch",
            Impact::Minor => "minor",
            Impact::Major => "major",
        }
    }
}

/// The part of a version to increment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// `X.0.0`.
    Major,
    /// `x.Y.0`.
    Minor,
    /// `x.y.Z`.
    Patch,
}

/// The largest change a step from `old` to `new` may carry. A step that does
/// not go forward allows nothing; a pre-release promises nothing, so it
/// allows anything.
pub fn capacity(old: &Version, new: &Version) -> Impact {
    if new <= old {
        return Impact::None;
    }
    if !new.pre.is_empty() || !old.pre.is_empty() && same_numbers(old, new) {
        return Impact::Major;
    }
    if new.major != old.major {
        return Impact::Major;
    }
    if old.major == 0 {
        return if new.minor != old.minor || old.minor == 0 {
            Impact::Major
        } else {
            Impact::Minor
        };
    }
    if new.minor != old.minor {
        Impact::Minor
    } else if new.patch != old.patch {
        Impact::Patch
    } else {
        Impact::None
    }
}

fn same_numbers(a: &Version, b: &Version) -> bool {
    (a.major, a.minor, a.patch) == (b.major, b.minor, b.patch)
}

/// The smallest part of `old` to increment for a change of `required`.
pub fn part_for(required: Impact, old: &Version) -> Part {
    match (old.major, old.minor, required) {
        (0, 0, _) => Part::Patch,
        (0, _, Impact::Major) => Part::Minor,
        (0, _, _) => Part::Patch,
        (_, _, Impact::Major) => Part::Major,
        (_, _, Impact::Minor) => Part::Minor,
        _ => Part::Patch,
    }
}

/// `old` with `part` incremented (and the parts after it reset).
pub fn increment(old: &Version, part: Part) -> Version {
    let (major, minor, patch) = match part {
        Part::Major => (old.major + 1, 0, 0),
        Part::Minor => (old.major, old.minor + 1, 0),
        Part::Patch => (old.major, old.minor, old.patch + 1),
    };
    Version {
        major,
        minor,
        patch,
        pre: Prerelease::EMPTY,
        build: BuildMetadata::EMPTY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn capacity_of_a_step() {
        assert_eq!(capacity(&v("1.2.3"), &v("2.0.0")), Impact::Major);
        assert_eq!(capacity(&v("1.2.3"), &v("1.3.0")), Impact::Minor);
        assert_eq!(capacity(&v("1.2.3"), &v("1.2.4")), Impact::Patch);
        assert_eq!(capacity(&v("1.2.3"), &v("1.2.3")), Impact::None);
        assert_eq!(capacity(&v("1.2.3"), &v("1.2.2")), Impact::None);
        assert_eq!(capacity(&v("1.2.3"), &v("1.2.4-rc.1")), Impact::Major);
        assert_eq!(capacity(&v("1.3.0-rc.1"), &v("1.3.0")), Impact::Major);
    }

    #[test]
    fn pre_1_0_follows_cargo() {
        assert_eq!(capacity(&v("0.2.3"), &v("0.3.0")), Impact::Major);
        assert_eq!(capacity(&v("0.2.3"), &v("0.2.4")), Impact::Minor);
        assert_eq!(capacity(&v("0.0.3"), &v("0.0.4")), Impact::Major);
        assert_eq!(part_for(Impact::Major, &v("0.2.3")), Part::Minor);
        assert_eq!(part_for(Impact::Minor, &v("0.2.3")), Part::Patch);
        assert_eq!(part_for(Impact::Major, &v("0.0.3")), Part::Patch);
        assert_eq!(part_for(Impact::Major, &v("1.0.0")), Part::Major);
        assert_eq!(part_for(Impact::None, &v("1.0.0")), Part::Patch);
    }

    #[test]
    fn the_required_part_always_fits() {
        for old in ["0.0.1", "0.3.2", "1.0.0", "2.5.9", "1.0.0-alpha"] {
            for required in [Impact::None, Impact::Patch, Impact::Minor, Impact::Major] {
                let old = v(old);
                let next = increment(&old, part_for(required, &old));
                assert!(capacity(&old, &next) >= required, "{old} → {next}");
            }
        }
        assert_eq!(increment(&v("1.2.3-rc.1"), Part::Minor), v("1.3.0"));
    }
}
