//! `handoff infer`: draft a contract from captured payloads (JSON files, NDJSON, CSV and X12,
//! as files, directories or globs), every inferred constraint with its evidence as a comment
//! (handoff_core::infer).

use super::{EXIT_CLEAN, Fatal, project_config, project_reach, registry_for, shown};
use crate::console::Console;
use handoff_core::contract::layout::{LoopDef, X12Layout};
use handoff_core::flat::Item;
use handoff_core::infer::{Options, Profile, x12::Repeats};
use handoff_core::input::{self, Payload, Reading, Shape};
use handoff_core::x12::stream::Item as X12Item;
use handoff_reports::printer::escape;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct InferArgs {
    /// Payload files, directories or globs (JSON and NDJSON, CSV and TSV, or X12)
    #[arg(required = true)]
    pub(crate) inputs: Vec<String>,
    /// The contract id [default: the first input's directory or file name]
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// Write the contract here instead of standard output (replaced whole, never half-written)
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// Close every object: a field not seen in the samples is then a finding
    #[arg(long)]
    pub(crate) closed: bool,
    /// Write the observed ranges (minimum/maximum, max_length, array sizes) as constraints, not comments
    #[arg(long)]
    pub(crate) ranges: bool,
    /// Propose the changes this existing contract (a reference or a file) needs for the
    /// captures, as a diff of its file (or, with -o, the changed contract written there)
    #[arg(long, value_name = "REF", conflicts_with_all = ["id", "closed", "ranges"])]
    pub(crate) against: Option<String>,
    /// How to split inputs into payloads (as `check` does; standard input is one JSON
    /// document unless this says `ndjson`, `x12` or `csv`)
    #[arg(long, value_enum, default_value_t = super::check::InputFormat::Auto)]
    pub(crate) input_format: super::check::InputFormat,
    /// An X12 loop, as an implementation guide lists it: its segments, the first starting
    /// each occurrence (`N1,N3,N4`, named N1_loop), optionally named (`ship_to=N1,N3,N4`) and
    /// inside another (`PO1_loop/SCH_loop=SCH,TD5`); repeat for each loop
    #[arg(long, value_name = "SPEC", conflicts_with = "against")]
    pub(crate) x12_loops: Vec<String>,
    /// Read or write outside the project directory
    #[arg(long)]
    pub(crate) allow_outside: bool,
}

/// What was read from some inputs: the profile, the files read, the payloads left out.
pub(crate) struct Read {
    pub(crate) profile: Profile,
    pub(crate) files: u64,
    pub(crate) unreadable: u64,
    pub(crate) kind: Kind,
    /// For X12 sets: the layout they were rendered in (the loops given, the repeats seen).
    pub(crate) layout: X12Layout,
}

impl Read {
    /// How to draft what was read: these choices, and what the payloads were.
    pub(crate) fn options(
        &self,
        id: String,
        closed: bool,
        ranges: bool,
        sources: String,
    ) -> Options {
        Options {
            id,
            closed,
            ranges,
            sources,
            cells: self.kind.cells(),
            x12: (self.kind == Kind::X12).then(|| self.layout.clone()),
        }
    }
}

/// What the payloads of a draft are: JSON values have their own types; a CSV cell and an X12
/// element are text, which the contract's types read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Json,
    Csv,
    X12,
}

impl Kind {
    fn of(shape: Shape) -> Kind {
        match shape {
            Shape::Json | Shape::Ndjson => Kind::Json,
            Shape::Csv => Kind::Csv,
            Shape::X12 => Kind::X12,
        }
    }

    fn files(self) -> &'static str {
        match self {
            Kind::Json => "JSON or NDJSON",
            Kind::Csv => "CSV",
            Kind::X12 => "X12",
        }
    }

    /// What one payload is called.
    pub(crate) fn payload(self) -> &'static str {
        match self {
            Kind::Json => "payload",
            Kind::Csv => "row",
            Kind::X12 => "transaction set",
        }
    }

    /// `3 CSV files`, for a draft's header.
    pub(crate) fn sources(self, files: u64) -> String {
        format!(
            "{files} {}file{}",
            match self {
                Kind::Json => "",
                Kind::Csv => "CSV ",
                Kind::X12 => "X12 ",
            },
            if files == 1 { "" } else { "s" }
        )
    }

    /// Whether values are text read by the contract's types.
    pub(crate) fn cells(self) -> bool {
        self != Kind::Json
    }
}

/// What a walk over the inputs read.
pub(crate) struct Walked {
    pub(crate) files: u64,
    /// Payloads that could not be read (too large, an I/O error, a CSV row that is not one, an
    /// X12 envelope with no set, bytes that stop being X12).
    pub(crate) unreadable: u64,
    pub(crate) kind: Kind,
    /// What the X12 sets' renderings showed of their layout.
    pub(crate) repeats: Repeats,
}

/// What a walk does with CSV and X12 files.
pub(crate) enum Flat<'h> {
    /// Each CSV row handed on as a JSON object of its cells' text, and each X12 transaction
    /// set as its rendering in this layout (every element text), for a draft.
    Rows(&'h X12Layout),
    /// Each file handed whole to this (its path and shape), to be checked as `check` reads it.
    Whole(&'h mut dyn FnMut(&mut Console<'_>, &Path, Shape)),
}

/// Call `each` with every JSON payload of the `expanded` inputs (its file, NDJSON line and
/// bytes) and every CSV and X12 file as `flat` says; a note for each file, row or set left out.
/// JSON, CSV rows and X12 sets cannot be drafted together: their values are read differently.
pub(crate) fn each_payload(
    expanded: &input::Expanded,
    framing: input::Framing,
    mut flat: Flat<'_>,
    con: &mut Console<'_>,
    mut each: impl FnMut(&mut Console<'_>, &Path, Option<u64>, &[u8]),
) -> Result<Walked, Fatal> {
    if let Some(e) = expanded.errors.first() {
        return Err(Fatal::new(e.to_string()));
    }
    let path_of = |inp: &input::Input| match inp {
        input::Input::File(p) => p.clone(),
        input::Input::Stdin => PathBuf::from("-"),
    };
    let shapes: Vec<Shape> = expanded.inputs.iter().map(|i| framing.shape(i)).collect();
    let mut kinds: Vec<Kind> = Vec::new();
    for k in shapes.iter().map(|s| Kind::of(*s)) {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    if let (Flat::Rows(_), [a, b, ..]) = (&flat, kinds.as_slice()) {
        return Err(Fatal::new(format!(
            "the inputs mix {} files with {}: a CSV cell and an X12 element are text that the contract's types read, a JSON value has its own type, and a row is not a transaction set, so one draft cannot describe both; infer each kind on its own",
            a.files(),
            b.files()
        )));
    }
    let options = handoff_core::contract::layout::CsvOptions::default();
    let mut walked = Walked {
        files: 0,
        unreadable: 0,
        kind: kinds.first().copied().unwrap_or(Kind::Json),
        repeats: Repeats::default(),
    };
    for (inp, shape) in expanded.inputs.iter().zip(shapes) {
        let path = path_of(inp);
        let layout = match &mut flat {
            Flat::Whole(whole) if matches!(shape, Shape::Csv | Shape::X12) => {
                walked.files += 1;
                whole(con, &path, shape);
                continue;
            }
            Flat::Whole(_) => None,
            Flat::Rows(layout) => Some(*layout),
        };
        walked.files += 1;
        let reading = match shape {
            Shape::Csv => Reading {
                shape,
                csv: Some(&options),
            },
            Shape::X12 => Reading { shape, csv: None },
            _ => Reading::json(shape == Shape::Ndjson),
        };
        input::read(
            inp,
            Path::new("."),
            reading,
            handoff_core::run::DEFAULT_MAX_PAYLOAD_BYTES,
            |line, payload| {
                let at = || shown(&path);
                // Each payload is handed on, or left out with the reason.
                let why = match payload {
                    Payload::Bytes(b) => return each(con, &path, line, b),
                    Payload::Csv(Item::Row(row)) => match handoff_core::flat::object(&row) {
                        Ok(object) => {
                            let bytes = serde_json::to_vec(&object).unwrap_or_default();
                            return each(con, &path, Some(row.line), &bytes);
                        }
                        Err(e) => format!(
                            "{}:{} is not a CSV row ({}): left out of the draft",
                            at(),
                            row.line,
                            escape::text(&e.message)
                        ),
                    },
                    Payload::Csv(Item::TooLarge { line, size, .. }) => format!(
                        "{}:{line} is a row of {size} bytes, over the payload limit: left out of the draft",
                        at()
                    ),
                    Payload::Csv(Item::Invalid { line, message }) => format!(
                        "{}:{line} cannot be read as CSV ({}): the rest of the file is left out",
                        at(),
                        escape::text(&message)
                    ),
                    Payload::X12(X12Item::Set(set)) => {
                        let Some(layout) = layout else { return };
                        let rendering = handoff_core::check::records::render_set_in(&set, layout);
                        walked.repeats.observe(&rendering, layout);
                        let bytes = serde_json::to_vec(&rendering).unwrap_or_default();
                        return each(con, &path, Some(set.body.place.line), &bytes);
                    }
                    Payload::X12(X12Item::Envelope { place, findings }) => {
                        let what: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
                        format!(
                            "{}:{} has no transaction set ({}): left out of the draft",
                            at(),
                            place.line,
                            escape::text(&what.join("; "))
                        )
                    }
                    Payload::X12(X12Item::Invalid { place, error }) => format!(
                        "{}:{} is not X12 from here ({}): the rest of the file is left out",
                        at(),
                        place.line,
                        escape::text(&error.message)
                    ),
                    Payload::Unreadable(e) => format!(
                        "{} cannot be read ({}): left out",
                        at(),
                        escape::text(&e.to_string())
                    ),
                    Payload::TooLarge { size, limit } => {
                        let line = line.map_or_else(String::new, |l| format!(":{l}"));
                        let size = size.map_or_else(|| "more".into(), |n| n.to_string());
                        format!(
                            "{}{line} is a payload of {size} bytes, over the {limit}-byte limit: left out of the draft",
                            at()
                        )
                    }
                };
                walked.unreadable += 1;
                con.note(format_args!("handoff: note: {why}"));
            },
        );
    }
    Ok(walked)
}

/// Payloads profiled together: each batch is cut into one consecutive chunk per core, and the
/// chunks' profiles are merged in order, which gives the draft one profile would.
const BATCH: usize = 16 * 1024;

/// One batch's payloads: (file, NDJSON line, bytes).
type Batch = Vec<(PathBuf, Option<u64>, Vec<u8>)>;

/// Profile `batch` on every core into `profile`, returning the payloads that are not JSON
/// (their source and why), in order.
fn profile_batch(profile: &mut Profile, batch: &Batch) -> Vec<String> {
    let jobs = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(batch.len().max(1));
    let size = batch.len().div_ceil(jobs).max(1);
    let parts: Vec<(Profile, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(size)
            .map(|chunk| {
                let mut part = profile.fresh();
                scope.spawn(move || {
                    let mut bad = Vec::new();
                    for (path, line, bytes) in chunk {
                        match serde_json::from_slice::<serde_json::Value>(bytes) {
                            Ok(v) => part.add(&v),
                            Err(e) => {
                                let at = line.map_or_else(String::new, |l| format!(":{l}"));
                                bad.push(format!("{}{at} is not JSON ({e})", shown(path)));
                            }
                        }
                    }
                    (part, bad)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    (
                        Profile::new(),
                        vec!["a payload could not be profiled".into()],
                    )
                })
            })
            .collect()
    });
    let mut bad = Vec::new();
    for (part, b) in parts {
        profile.merge(part);
        bad.extend(b);
    }
    bad
}

/// Profile every payload of `inputs` (X12 sets rendered in `loops`); a note for each one left
/// out. The inputs are read again (quietly: its notes would be the first's) where the first
/// pass finds X12 segments that repeat where `loops` does not say so (to render them as arrays
/// in every set), or unions by discriminator (to profile each union's objects per case).
pub(crate) fn read_inputs(
    inputs: &[String],
    framing: input::Framing,
    loops: &X12Layout,
    reach: &handoff_core::reach::Reach,
    con: &mut Console<'_>,
) -> Result<Read, Fatal> {
    let stdin = inputs.iter().any(|i| i == "-");
    let (mut out, mut err) = (std::io::sink(), std::io::sink());
    let mut quiet = Console::new(&mut out, &mut err);
    // Expanded once: every pass reads the same files.
    let expanded = input::expand(inputs, Path::new("."), reach);
    // X12 element ids (`BEG03`) look like data to the map rule; they are the standard's names.
    let x12 = expanded
        .inputs
        .iter()
        .any(|i| framing.shape(i) == Shape::X12);
    let fresh = || {
        if x12 {
            Profile::new().named()
        } else {
            Profile::new()
        }
    };
    let pass = |con: &mut Console<'_>, layout: &X12Layout, profile: Profile| {
        read_pass(inputs, &expanded, framing, layout, con, profile)
    };
    let mut first = pass(con, loops, fresh())?;
    if first.0.kind == Kind::X12 {
        let (read, repeats) = first;
        let layout = repeats.layout(loops);
        if repeats.within(loops) {
            return Ok(Read { layout, ..read });
        }
        if stdin {
            con.note(format_args!(
                "handoff: note: segments that repeat in some transaction sets ({}) are drafted as they came (an object, or an array): standard input cannot be read a second time to render them as arrays in every set",
                escape::text(&repeated(&layout, loops).join(", "))
            ));
            return Ok(Read { layout, ..read });
        }
        let (again, _) = pass(&mut quiet, &layout, fresh())?;
        return Ok(Read {
            unreadable: read.unreadable,
            layout,
            ..again
        });
    }
    let Some(unions) = first
        .0
        .profile
        .unions()
        .filter(|_| first.0.kind == Kind::Json)
    else {
        return Ok(first.0);
    };
    let places: Vec<String> = unions
        .places()
        .iter()
        .map(|(place, member)| format!("{} by {}", escape::text(place), escape::text(member)))
        .collect();
    if stdin {
        con.note(format_args!(
            "handoff: note: a union by discriminator at {} is drafted as one object: standard input cannot be read a second time to draft each case",
            places.join(", ")
        ));
        return Ok(first.0);
    }
    con.note(format_args!(
        "handoff: note: a union by discriminator at {}: reading the captures again to draft each case",
        places.join(", ")
    ));
    let (second, _) = pass(&mut quiet, loops, Profile::split(&unions))?;
    first.0.profile = second.profile;
    Ok(first.0)
}

/// The segments `layout` lists as repeating that `given` did not, as `LOOP/SEG` (or `SEG` at
/// the root).
fn repeated(layout: &X12Layout, given: &X12Layout) -> Vec<String> {
    fn level(
        got: &[String],
        had: &[String],
        loops: &[LoopDef],
        given: &[LoopDef],
        path: &str,
        out: &mut Vec<String>,
    ) {
        for s in got.iter().filter(|s| !had.contains(s)) {
            out.push(format!("{path}{s}"));
        }
        for def in loops {
            let had = given.iter().find(|g| g.name == def.name);
            level(
                &def.repeat,
                had.map_or(&[][..], |g| &g.repeat),
                &def.loops,
                had.map_or(&[][..], |g| &g.loops),
                &format!("{path}{}/", def.name),
                out,
            );
        }
    }
    let mut out = Vec::new();
    level(
        &layout.repeat,
        &given.repeat,
        &layout.loops,
        &given.loops,
        "",
        &mut out,
    );
    out
}

/// One pass over the inputs (`expanded` from `inputs`) into `profile`; with what the X12 sets'
/// renderings showed.
fn read_pass(
    inputs: &[String],
    expanded: &input::Expanded,
    framing: input::Framing,
    layout: &X12Layout,
    con: &mut Console<'_>,
    mut profile: Profile,
) -> Result<(Read, Repeats), Fatal> {
    let mut not_json = 0u64;
    let mut batch: Batch = Vec::with_capacity(BATCH);
    let mut flush = |batch: &mut Batch, profile: &mut Profile, con: &mut Console<'_>| {
        for why in profile_batch(profile, batch) {
            not_json += 1;
            con.note(format_args!("handoff: note: {why}: left out of the draft"));
        }
        batch.clear();
    };
    let walked = each_payload(
        expanded,
        framing,
        Flat::Rows(layout),
        con,
        |con, path, line, bytes| {
            batch.push((path.to_path_buf(), line, bytes.to_vec()));
            if batch.len() == BATCH {
                flush(&mut batch, &mut profile, con);
            }
        },
    )?;
    flush(&mut batch, &mut profile, con);
    let unreadable = walked.unreadable + not_json;
    if profile.payloads() == 0 {
        return Err(Fatal::new(format!(
            "no JSON payload, CSV row or X12 transaction set could be read from {} ({unreadable} unreadable): nothing to infer from",
            inputs.join(", "),
        )));
    }
    Ok((
        Read {
            profile,
            files: walked.files,
            unreadable,
            kind: walked.kind,
            layout: layout.clone(),
        },
        walked.repeats,
    ))
}

/// The loops `--x12-loops` gives: `SEG,SEG` (named after its first segment, `N1_loop`),
/// `NAME=SEG,SEG`, or `PARENT/NAME=SEG,SEG` inside a loop given before.
pub(crate) fn parse_loops(specs: &[String]) -> Result<X12Layout, Fatal> {
    let mut layout = X12Layout::default();
    let segment = |s: &str| {
        (2..=3).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    for spec in specs {
        let bad = |why: &str| {
            Fatal::new(format!(
                "--x12-loops {}: {why}; write a loop as its segments, the first starting each occurrence (N1,N3,N4), optionally named (ship_to=N1,N3,N4) and inside another loop (PO1_loop/SCH_loop=SCH,TD5)",
                escape::text(spec)
            ))
        };
        let (place, list) = match spec.split_once('=') {
            Some((place, list)) => (Some(place.trim()), list),
            None => (None, spec.as_str()),
        };
        let segments: Vec<String> = list.split(',').map(|s| s.trim().to_string()).collect();
        if let Some(s) = segments.iter().find(|s| !segment(s)) {
            return Err(bad(&format!(
                "`{}` is not a segment id (2 or 3 capital letters and digits)",
                escape::text(s)
            )));
        }
        let (parents, name) = match place {
            Some(p) => match p.rsplit_once('/') {
                Some((parents, name)) => (parents.split('/').collect::<Vec<_>>(), name),
                None => (Vec::new(), p),
            },
            None => (Vec::new(), ""),
        };
        let name = if name.is_empty() {
            format!("{}_loop", segments[0])
        } else {
            name.to_string()
        };
        if name.is_empty() || name.chars().any(|c| c.is_control() || c == '/') {
            return Err(bad("a loop name is a member name of the rendering"));
        }
        let mut level = &mut layout.loops;
        for parent in &parents {
            level = match level.iter_mut().position(|l| l.name == *parent) {
                Some(i) => &mut level[i].loops,
                None => {
                    return Err(bad(&format!(
                        "no loop `{}` was given before this one",
                        escape::text(parent)
                    )));
                }
            };
        }
        if level.iter().any(|l| l.name == name) {
            return Err(bad(&format!(
                "loop `{}` is given twice",
                escape::text(&name)
            )));
        }
        level.push(LoopDef {
            name,
            segments,
            ..LoopDef::default()
        });
    }
    Ok(layout)
}

pub(crate) fn cmd_infer(args: InferArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let config = project_config(None).ok().flatten();
    let registry = registry_for(None, config.as_ref());
    let reach = project_reach(config.as_ref(), &registry, args.allow_outside);
    if let Some(reference) = &args.against {
        let path = super::resolve(&registry, reference)?;
        return against(&args, &path, &reach, con);
    }
    let loops = parse_loops(&args.x12_loops)?;
    let read = read_inputs(
        &args.inputs,
        args.input_format.framing(),
        &loops,
        &reach,
        con,
    )?;
    let id = args
        .id
        .clone()
        .unwrap_or_else(|| default_id(&args.inputs[0]));
    let options = read.options(id, args.closed, args.ranges, read.kind.sources(read.files));
    let Read {
        profile,
        files,
        unreadable,
        kind,
        ..
    } = read;
    let text = profile.draft(&options);
    con.note(format_args!(
        "handoff: inferred from {} {}{} in {files} file{}{}",
        profile.payloads(),
        kind.payload(),
        if profile.payloads() == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        if unreadable > 0 {
            format!(", {unreadable} unreadable left out")
        } else {
            String::new()
        }
    ));
    match &args.output {
        Some(path) => {
            reach
                .check(path, "the contract to write")
                .map_err(|o| Fatal::new(o.to_string()))?;
            super::refuse_link(path, "the contract")?;
            super::write_replacing(path, text.as_bytes())?;
            con.note(format_args!("handoff: wrote {}", shown(path)));
            Ok(EXIT_CLEAN)
        }
        None => super::print_out(con, &text),
    }
}

/// A CSV cell as a finding quotes it (as written in the file, quotes included) made a JSON
/// value: a quoted cell is the text inside, a number or boolean stays one, other text a string.
fn cell_as_json(cell: &str) -> String {
    if let Some(inner) = cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        return serde_json::to_string(&inner.replace("\"\"", "\"")).unwrap_or_default();
    }
    match serde_json::from_str::<serde_json::Value>(cell) {
        Ok(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => v.to_string(),
        _ => serde_json::to_string(cell).unwrap_or_default(),
    }
}

/// A contract id from a path: its last directory or file stem that names something (not
/// `valid`, `captures`, ...), made of the registry's letters.
pub(crate) fn default_id(input: &str) -> String {
    let path = Path::new(input.trim_end_matches('/'));
    let generic = [
        "valid", "invalid", "captures", "capture", "payloads", "samples", "data", "fixtures", ".",
    ];
    let mut names = path.iter().rev().enumerate().map(|(i, part)| {
        let p = Path::new(part);
        if i == 0 && p.extension().is_some() {
            p.file_stem()
        } else {
            Some(part)
        }
    });
    // A name that does not start with a letter (a date, a batch number) names no boundary.
    let name = names
        .find(|n| {
            n.is_some_and(|n| {
                let n = n.to_string_lossy().to_lowercase();
                !generic.contains(&n.as_str()) && n.starts_with(|c: char| c.is_ascii_alphabetic())
            })
        })
        .flatten();
    let raw = name
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let id: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    if id.is_empty() { "inferred".into() } else { id }
}

/// `--against`: check the captures with the contract, and write what they need of it into its
/// text: the enum values it does not list (each with how often and where first seen); every
/// other finding counted by kind and field, for the user to decide.
fn against(
    args: &InferArgs,
    path: &Path,
    reach: &handoff_core::reach::Reach,
    con: &mut Console<'_>,
) -> Result<u8, Fatal> {
    let checker = super::prepare(path)?;
    let text = handoff_core::input::read_text(path, handoff_core::input::MAX_FILE_BYTES)?;
    let needs = std::cell::RefCell::new(handoff_core::propose::Needs::default());
    // A CSV or X12 file is checked as `check` reads it (values typed by the contract, X12 in
    // its loops); a value its enum lacks is the cell's or element's text, which the contract
    // lists as a JSON value.
    let mut whole =
        |con: &mut Console<'_>, file: &Path, shape: Shape| match std::fs::File::open(file) {
            Ok(reader) => {
                let name = file.display().to_string();
                checker.check_reader(reader, shape, &name, |result| {
                    let findings: Vec<_> = result
                        .findings
                        .into_iter()
                        .map(|mut f| {
                            f.value = f.value.map(|v| cell_as_json(&v));
                            f
                        })
                        .collect();
                    needs
                        .borrow_mut()
                        .add(&result.source.to_string(), &findings);
                });
            }
            Err(e) => con.note(format_args!(
                "handoff: note: {} cannot be read ({e}): left out",
                shown(file)
            )),
        };
    let walked = each_payload(
        &input::expand(&args.inputs, Path::new("."), reach),
        args.input_format.framing(),
        Flat::Whole(&mut whole),
        con,
        |_, file, line, bytes| {
            let source = match line {
                Some(l) => format!("{}:{l}", file.display()),
                None => file.display().to_string(),
            };
            needs.borrow_mut().add(&source, &checker.check(bytes));
        },
    )?;
    let needs = needs.into_inner();
    let reference = checker.contract().reference();
    let new_values: usize = needs.enums.values().map(|(_, v)| v.len()).sum();
    con.note(format_args!(
        "handoff: {} payload{} in {} file{} checked against {reference}",
        needs.payloads,
        if needs.payloads == 1 { "" } else { "s" },
        walked.files,
        if walked.files == 1 { "" } else { "s" }
    ));
    for (field, values) in needs.enums.values() {
        for v in values {
            // The value and the file name come from outside: shown with controls made visible.
            con.note(format_args!(
                "handoff: {}: {} is not in the enum: {} payload{}, first at {}",
                escape::text(field),
                escape::text(&v.value),
                v.payloads,
                if v.payloads == 1 { "" } else { "s" },
                escape::text(&v.first)
            ));
        }
    }
    for (parent, fields) in &needs.fields {
        for f in fields {
            con.note(format_args!(
                "handoff: {}/{}: a member the contract does not declare ({}): {} payload{}, first at {}",
                escape::text(parent),
                escape::text(&handoff_core::pointer::escape(&f.name)),
                f.types.join(", "),
                f.payloads,
                if f.payloads == 1 { "" } else { "s" },
                escape::text(&f.first)
            ));
        }
    }
    for ((kind, field), n) in &needs.other {
        con.note(format_args!(
            "handoff: {}: {kind} in {n} payload{} (not changed in the contract: decide whether the sender or the contract is wrong)",
            if field.is_empty() {
                "the whole payload".to_string()
            } else {
                escape::text(field).to_string()
            },
            if *n == 1 { "" } else { "s" }
        ));
    }
    let Some(proposed) = needs.apply(path, &text) else {
        if new_values == 0 && needs.fields.is_empty() && needs.other.is_empty() {
            con.note(format_args!(
                "handoff: the captures need no change to {reference}"
            ));
            return Ok(EXIT_CLEAN);
        }
        return Ok(super::EXIT_VIOLATIONS);
    };
    match &args.output {
        Some(out) => {
            reach
                .check(out, "the contract to write")
                .map_err(|o| Fatal::new(o.to_string()))?;
            super::refuse_link(out, "the contract")?;
            super::write_replacing(out, proposed.as_bytes())?;
            con.note(format_args!(
                "handoff: wrote the proposed contract to {}",
                shown(out)
            ));
        }
        None => {
            let name = path.display().to_string();
            let diff = handoff_reports::printer::changes::unified_text(
                &format!("a/{name}"),
                &text,
                &format!("b/{name}"),
                &proposed,
            );
            super::print_out(con, &diff)?;
        }
    }
    Ok(super::EXIT_VIOLATIONS)
}

#[cfg(test)]
mod tests {
    use super::cell_as_json;

    #[test]
    fn csv_cells_become_the_json_values_a_contract_lists() {
        assert_eq!(cell_as_json("CS"), "\"CS\"");
        assert_eq!(cell_as_json("\"CS\""), "\"CS\"");
        assert_eq!(cell_as_json("\"a \"\"b\"\"\""), "\"a \\\"b\\\"\"");
        assert_eq!(cell_as_json("5"), "5");
        assert_eq!(cell_as_json("true"), "true");
        assert_eq!(cell_as_json("null"), "\"null\"");
    }
}
