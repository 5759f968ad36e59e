//! The rule catalogue: every kind of change the classifier recognises, with
//! its stable ID and the semver part it requires in each role.

use super::Impact;

/// Which side of a tool a finding is about. Inputs are read by the server, so
/// a change breaks when some old-valid value becomes invalid; outputs are
/// written by the server, so a change breaks when the server may now return
/// a value old clients reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The arguments (`input`).
    Input,
    /// The structured result (`output`).
    Output,
    /// The tool itself: annotations, description, deprecation, whether it has
    /// an output schema.
    Tool,
}

impl Role {
    /// `input`, `output` or `tool`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Input => "input",
            Role::Output => "output",
            Role::Tool => "tool",
        }
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $input:ident, $output:ident, $summary:literal;)*) => {
        /// A kind of change. IDs never change meaning; new kinds get new IDs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable ID (`property.removed`).
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            /// One line saying what the rule is about.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Rule::$variant => $summary,)*
                }
            }

            /// The usual impact in `role`. A few rules depend on the schema
            /// around the change (whether an object accepts unknown
            /// properties, whether a removed output property was required);
            /// the classifier adjusts those where it sees them.
            pub fn impact(self, role: Role) -> Impact {
                match (self, role) {
                    $((Rule::$variant, Role::Output) => Impact::$output,)*
                    $((Rule::$variant, _) => Impact::$input,)*
                }
            }
        }
    };
}

// id, impact on inputs (and tool-level rules), impact on outputs, summary.
rules! {
    PropertyRequiredAdded = "property.required_added", Major, Minor, "A new property that is required.";
    PropertyOptionalAdded = "property.optional_added", Minor, Minor, "A new optional property.";
    PropertyRemoved = "property.removed", Major, Major, "A property the new version no longer declares.";
    PropertyRenamed = "property.renamed", Major, Major, "A property renamed in place (by a `rename` op).";
    PropertyMoved = "property.moved", Major, Major, "A property moved to another object (by a `move` op).";
    PropertyDeprecated = "property.deprecated", Minor, Minor, "A property newly marked `deprecated: true`.";
    RequiredAdded = "required.added", Major, Minor, "An existing property became required.";
    RequiredRemoved = "required.removed", Minor, Major, "A required property became optional.";
    TypeWidened = "type.widened", Minor, Major, "More types (or `anyOf`/`oneOf` branches) are allowed.";
    TypeNarrowed = "type.narrowed", Major, Minor, "Fewer types (or branches) are allowed.";
    TypeChanged = "type.changed", Major, Major, "The allowed types changed in both directions (string → integer).";
    EnumValueAdded = "enum.value_added", Minor, Major, "An `enum` (or `const`) allows a new value.";
    EnumValueRemoved = "enum.value_removed", Major, Minor, "An `enum` (or `const`) no longer allows a value.";
    ConstraintTightened = "constraint.tightened", Major, Minor, "A bound, length, format, `enum`, `pattern` or `additionalProperties: false` was added or narrowed.";
    ConstraintRelaxed = "constraint.relaxed", Minor, Major, "A constraint was removed or widened.";
    ConstraintChanged = "constraint.changed", Major, Major, "A constraint changed in a way mcpgen cannot order (`format`, `not`, `if`, a non-dividing `multipleOf`, …).";
    PatternChanged = "pattern.changed", Major, Major, "A `pattern` was replaced; regex inclusion is not provable, so it counts as breaking.";
    DefaultAdded = "default.added", Patch, Patch, "A `default` was declared.";
    DefaultRemoved = "default.removed", Minor, Patch, "A `default` was dropped.";
    DefaultChanged = "default.changed", Minor, Patch, "A `default` changed value.";
    DocsChanged = "docs.changed", Patch, Patch, "Only annotations changed: `description`, `title`, `examples`, `$comment`, `x-…`.";
    ToolOutputSchemaAdded = "tool.output_schema.added", Minor, Minor, "The version declares an output schema where the previous had none.";
    ToolOutputSchemaRemoved = "tool.output_schema.removed", Major, Major, "The version drops the output schema the previous one declared.";
    ToolAnnotationsLessSafe = "tool.annotations.less_safe", Minor, Minor, "A hint became less safe: `readOnlyHint` or `idempotentHint` true → false, `destructiveHint` or `openWorldHint` false → true.";
    ToolAnnotationsSafer = "tool.annotations.safer", Patch, Patch, "A hint became safer (the reverse).";
    ToolDeprecated = "tool.deprecated", Minor, Minor, "The newest version gains a deprecation notice: the tool as a whole is deprecated.";
    ToolDocsChanged = "tool.docs.changed", Patch, Patch, "The tool's `title` or `description` changed.";
}

impl Rule {
    /// The rule with `id`.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.id() == id)
    }

    /// Whether the rule's direction is unknown (mcpgen cannot tell whether
    /// the change narrows or widens), as opposed to provably breaking.
    pub fn is_undecided(self) -> bool {
        matches!(self, Rule::ConstraintChanged | Rule::PatternChanged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(*rule));
        }
        let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
    }

    #[test]
    fn direction_flips_between_roles() {
        assert_eq!(Rule::EnumValueAdded.impact(Role::Input), Impact::Minor);
        assert_eq!(Rule::EnumValueAdded.impact(Role::Output), Impact::Major);
        assert_eq!(Rule::RequiredRemoved.impact(Role::Input), Impact::Minor);
        assert_eq!(Rule::RequiredRemoved.impact(Role::Output), Impact::Major);
        assert_eq!(Rule::ToolDeprecated.impact(Role::Tool), Impact::Minor);
    }
}
