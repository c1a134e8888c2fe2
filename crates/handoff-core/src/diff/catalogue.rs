//! The breaking-change catalogue: every rule `handoff diff` can report, with a stable ID,
//! a severity, who the change breaks, and its documentation. IDs are never renamed or reused.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Breaking,
    Warning,
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn from_name(name: &str) -> Option<Severity> {
        [Severity::Breaking, Severity::Warning, Severity::Info]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// Who a change breaks. A contract says what the sender may send and what the receiver must
/// accept: tightening it breaks senders that still send the old shape; widening it breaks
/// receivers that have not learned the new values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Breaks {
    Sender,
    Receiver,
    Both,
    Nobody,
}

impl Breaks {
    pub fn name(self) -> &'static str {
        match self {
            Breaks::Sender => "sender",
            Breaks::Receiver => "receiver",
            Breaks::Both => "both",
            Breaks::Nobody => "nobody",
        }
    }
}

macro_rules! catalogue {
    ($( $variant:ident => $id:literal, $severity:ident, $breaks:ident, $doc:literal; )*) => {
        /// A breaking-change rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $( $variant, )* }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[ $( RuleId::$variant, )* ];

            pub fn id(self) -> &'static str {
                match self { $( RuleId::$variant => $id, )* }
            }

            pub fn severity(self) -> Severity {
                match self { $( RuleId::$variant => Severity::$severity, )* }
            }

            pub fn breaks(self) -> Breaks {
                match self { $( RuleId::$variant => Breaks::$breaks, )* }
            }

            /// What the rule means and what to do about it.
            pub fn doc(self) -> &'static str {
                match self { $( RuleId::$variant => $doc, )* }
            }
        }
    };
}

catalogue! {
    FieldAddedRequired => "field-added-required", Breaking, Sender,
        "A new field is required. Senders built on the old version do not send it, so every payload they send is now rejected. Ship the field as optional first, or coordinate the sender's release.";
    FieldAddedOptional => "field-added-optional", Warning, Receiver,
        "A new optional field. Old senders are unaffected; receivers built on the old version may reject or drop the member when new senders include it (especially where the object is closed).";
    FieldRemoved => "field-removed", Breaking, Both,
        "A field is gone. Senders that still send it are rejected where the object is closed, and receivers that read it lose the data.";
    FieldRenamed => "field-renamed", Breaking, Both,
        "A field was removed and a field with the same constraints added beside it: most likely a rename. Both sides must switch names in one release, or the new name should be added first and the old one deprecated.";
    FieldBecameRequired => "field-became-required", Breaking, Sender,
        "An optional field is now required. Senders that leave it out are rejected.";
    FieldBecameOptional => "field-became-optional", Warning, Receiver,
        "A required field is now optional. Receivers that rely on its presence must handle its absence.";
    FieldDeprecated => "field-deprecated", Info, Nobody,
        "A field is marked deprecated. Nothing breaks yet; senders should plan to stop sending it and receivers to stop reading it.";
    TypeNarrowed => "type-narrowed", Breaking, Sender,
        "The field accepts a narrower JSON type (number to integer). Senders sending the wider type are rejected.";
    TypeWidened => "type-widened", Warning, Receiver,
        "The field accepts a wider JSON type (integer to number). Receivers must handle the new values (fractions).";
    TypeChanged => "type-changed", Breaking, Both,
        "The field's JSON type changed (string to integer, object to array). Neither side's old code handles the other type.";
    NullableAdded => "nullable-added", Warning, Receiver,
        "The field may now be null. Receivers must handle null.";
    NullableRemoved => "nullable-removed", Breaking, Sender,
        "The field may no longer be null. Senders that send null are rejected.";
    EnumValueAdded => "enum-value-added", Breaking, Receiver,
        "A new allowed value, such as a new status or event code. Old senders are unaffected, but a receiver that has not mapped the value will raise an exception on it. Never harmless: map it in every receiver before senders use it.";
    EnumValueRemoved => "enum-value-removed", Breaking, Sender,
        "A value is no longer allowed. Senders that still send it are rejected.";
    EnumValueRenamed => "enum-value-renamed", Breaking, Both,
        "A value was removed and a similar one added: most likely a rename. Old senders send the old spelling, which is rejected; old receivers do not know the new one.";
    EnumAdded => "enum-added", Breaking, Sender,
        "The field now only accepts a fixed set of values. Senders sending anything else are rejected.";
    EnumRemoved => "enum-removed", Warning, Receiver,
        "The field no longer restricts its values to a set. Receivers must handle any value.";
    PatternAdded => "pattern-added", Breaking, Sender,
        "The field must now match a pattern. Senders whose values do not match are rejected.";
    PatternChanged => "pattern-changed", Breaking, Both,
        "The field's pattern changed. Values the old pattern accepted may be rejected, and receivers may get values the old pattern excluded.";
    PatternRemoved => "pattern-removed", Warning, Receiver,
        "The field no longer has a pattern. Receivers may get values of any shape.";
    FormatChanged => "format-changed", Breaking, Both,
        "The field's format changed, was added or was removed (date pattern, email, currency...). Values in the old format may be rejected, or receivers may get values they cannot parse.";
    LengthTightened => "length-tightened", Breaking, Sender,
        "max_length decreased or min_length increased. Senders' values that fitted may no longer.";
    LengthLoosened => "length-loosened", Warning, Receiver,
        "max_length increased, min_length decreased, or a limit was removed. Receivers' columns may be too narrow for the new values.";
    BytesTightened => "bytes-tightened", Breaking, Sender,
        "max_bytes decreased or was added. Values that fitted in bytes may no longer.";
    BytesLoosened => "bytes-loosened", Warning, Receiver,
        "max_bytes increased or was removed. Receivers that count bytes may overflow.";
    RangeTightened => "range-tightened", Breaking, Sender,
        "A numeric bound narrowed or was added. Senders' values near the old bound may be rejected.";
    RangeLoosened => "range-loosened", Warning, Receiver,
        "A numeric bound widened or was removed. Receivers must handle the new values.";
    DecimalTightened => "decimal-tightened", Breaking, Sender,
        "Fewer decimal places are allowed, or an exact number is now required. Senders' amounts may be rejected.";
    DecimalLoosened => "decimal-loosened", Warning, Receiver,
        "More decimal places are allowed, or the limit was removed. Receivers may round or reject the new amounts.";
    ItemsTightened => "items-tightened", Breaking, Sender,
        "An array's item count limits narrowed, items must now be unique, or items that could be anything now have a declared shape. Senders' arrays may be rejected.";
    ItemsLoosened => "items-loosened", Warning, Receiver,
        "An array's item count limits widened, items may now repeat, or items lost their declared shape. Receivers must handle the new arrays.";
    ObjectClosed => "object-closed", Breaking, Sender,
        "An object now rejects members the contract does not declare. Senders sending extra members are rejected.";
    ObjectOpened => "object-opened", Warning, Receiver,
        "An object now accepts members the contract does not declare. Receivers may get members they do not know.";
    ValuesAdded => "values-added", Breaking, Sender,
        "An open object became a map: the members it does not declare must now match its `values`. Senders' extra members may be rejected.";
    ValuesRemoved => "values-removed", Warning, Receiver,
        "A map's `values` were removed and the object is open: members it does not declare may now hold anything. Receivers must handle them.";
    KeysAdded => "keys-added", Breaking, Sender,
        "An object's member names must now fit `keys` (a pattern, format or length). Senders' members with other names are rejected.";
    KeysRemoved => "keys-removed", Warning, Receiver,
        "An object's member names are no longer constrained. Receivers may get members under any name.";
    FragmentTightened => "fragment-tightened", Breaking, Sender,
        "A raw `schema` fragment now restricts more: it was added, or a keyword in it was added or narrowed (a larger `multipleOf` that is a multiple of the old one, a higher minimum count, a new required member, fewer `anyOf` branches). Senders' payloads that passed may be rejected.";
    FragmentLoosened => "fragment-loosened", Warning, Receiver,
        "A raw `schema` fragment now restricts less: it was removed, or a keyword in it was removed or widened (more `anyOf` branches, a lower minimum count, a member no longer required). Receivers may get payloads the old fragment rejected.";
    FragmentChanged => "fragment-changed", Breaking, Both,
        "A raw `schema` fragment changed in a way handoff cannot prove one-directional (a `oneOf`, `not`, `if`/`then`, a changed `const`, a keyword whose reach depends on its siblings): review it. Treated as breaking both ways until someone has.";
    KeysChanged => "keys-changed", Breaking, Both,
        "The constraint on an object's member names changed. Names the old one accepted may be rejected, and receivers may get names it excluded.";
    CaseAdded => "case-added", Breaking, Receiver,
        "A union gained a case: a new discriminator value (a new event type). Receivers that have not mapped it will reject or mishandle it.";
    CaseRemoved => "case-removed", Breaking, Sender,
        "A union lost a case. Senders that still send that discriminator value are rejected.";
    RuleAdded => "rule-added", Breaking, Sender,
        "A conditional rule was added. Senders' payloads that do not meet it are rejected.";
    RuleRemoved => "rule-removed", Warning, Receiver,
        "A conditional rule was removed. Receivers that relied on it (a field present when a status is set) must handle its absence.";
    RuleChanged => "rule-changed", Breaking, Both,
        "A conditional rule's requirements changed. Payloads that met the old rule may not meet the new one.";
    CheckAdded => "check-added", Breaking, Sender,
        "A cross-field rule (equals, count, sum, compare, unique) was added. Senders' payloads that do not meet it are rejected.";
    CheckRemoved => "check-removed", Warning, Receiver,
        "A cross-field rule was removed. Receivers that relied on it (totals that add up, unique line numbers) must check it themselves.";
    CheckTightened => "check-tightened", Breaking, Sender,
        "A cross-field rule changed what it checks (its terms, operator or pointers), or a sum's tolerance narrowed. Payloads that met the old rule may not meet the new one.";
    CheckLoosened => "check-loosened", Warning, Receiver,
        "A sum's tolerance widened. Receivers may get totals further from the sum of their parts.";
    ContractIdChanged => "contract-id-changed", Breaking, Both,
        "The contract id changed: the two files describe different contracts, or a rename that every reference must follow.";
    BoundaryChanged => "boundary-changed", Warning, Both,
        "The boundary's sender, receiver or transport changed. Check that both sides still agree who sends what, and how.";
    VersionBumpTooSmall => "version-bump-too-small", Breaking, Both,
        "A breaking change without a major version bump (a minor bump, for versions 0.x). Consumers that follow semantic versioning will take the new version as compatible.";
    VersionWentDown => "version-went-down", Breaking, Both,
        "The new version is lower than the old one.";
}

impl RuleId {
    pub fn from_id(id: &str) -> Option<RuleId> {
        RuleId::ALL.iter().copied().find(|r| r.id() == id)
    }
}

/// The catalogue as Markdown: published as `docs/breaking-changes.md`.
pub fn markdown() -> String {
    let mut md = String::from(
        "# Breaking-change rules\n\n`handoff diff OLD NEW` reports every change between two versions of a contract with one of \
these rule IDs, a severity, and who the change breaks. A contract says what the sender may send and what \
the receiver must accept: **tightening** it breaks senders that still send the old shape; **widening** it \
breaks receivers that have not learned the new values. A new enum value (a new status code) is reported \
as breaking for receivers, never as harmless.\n\nEach rule has a fixture pair under \
[`fixtures/diff/<rule-id>/`](../fixtures/diff) with its exact output tested. `handoff explain-rule <id>` prints \
a rule's entry. This page is generated from the catalogue in `crates/handoff-core/src/diff/catalogue.rs`; a test keeps it current.\n\n\
| rule | severity | breaks |\n|---|---|---|\n",
    );
    for r in RuleId::ALL {
        md.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            r.id(),
            r.severity().name(),
            r.breaks().name()
        ));
    }
    for r in RuleId::ALL {
        md.push_str(&format!(
            "\n## {}\n\nSeverity: {}. Breaks: {}.\n\n{}\n",
            r.id(),
            r.severity().name(),
            r.breaks().name(),
            r.doc()
        ));
    }
    md
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}
