//! The rules, one module per code, run in hadolint's order (its report order depends on it).

use std::collections::BTreeSet;
use std::path::Path;

use bosun_dockerfile::{Args, Dockerfile, Instruction, Keyword};

use crate::shell::Script;
use crate::{Failure, LabelType, Severity, Step};

mod bl1001;
mod bl1002;
mod bl1003;
mod bl1004;
mod bl1005;
mod bl1006;
mod bl1007;
mod bl1008;
mod bl1009;
mod dl1001;
mod dl3000;
mod dl3001;
mod dl3002;
mod dl3003;
mod dl3004;
mod dl3006;
mod dl3007;
mod dl3008;
mod dl3009;
mod dl3010;
mod dl3011;
mod dl3012;
mod dl3013;
mod dl3014;
mod dl3015;
mod dl3016;
mod dl3018;
mod dl3019;
mod dl3020;
mod dl3021;
mod dl3022;
mod dl3023;
mod dl3024;
mod dl3025;
mod dl3026;
mod dl3027;
mod dl3028;
mod dl3029;
mod dl3030;
mod dl3032;
mod dl3033;
mod dl3034;
mod dl3035;
mod dl3036;
mod dl3037;
mod dl3038;
mod dl3040;
mod dl3041;
mod dl3042;
mod dl3043;
mod dl3044;
mod dl3045;
mod dl3046;
mod dl3047;
mod dl3048;
mod dl3057;
mod dl3059;
mod dl3060;
mod dl3061;
mod dl3062;
mod dl3063;
mod dl3064;
mod dl3065;
mod dl3066;
mod dl3067;
mod dl4000;
mod dl4001;
mod dl4003;
mod dl4004;
mod dl4005;
mod dl4006;
mod labels;
mod leftovers;
mod rpm;

/// What every rule may need to know about the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub(crate) escape: char,
    /// Only `# hadolint` pragmas are pragmas.
    pub(crate) hadolint_only: bool,
}

/// A rule: sees every comment and instruction in order, reports into `out`.
pub(crate) trait Rule {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>);
    /// Findings only known at the end of the file.
    fn finish(&mut self, _out: &mut Vec<Failure>) {}
}

/// The codes bosun implements, in hadolint's order.
pub const CODES: &[&str] = &[
    "DL1001", "DL3000", "DL3001", "DL3002", "DL3003", "DL3004", "DL3006", "DL3007", "DL3008",
    "DL3009", "DL3010", "DL3011", "DL3012", "DL3013", "DL3014", "DL3015", "DL3016", "DL3018",
    "DL3019", "DL3020", "DL3021", "DL3022", "DL3023", "DL3024", "DL3025", "DL3026", "DL3027",
    "DL3028", "DL3029", "DL3030", "DL3032", "DL3033", "DL3034", "DL3035", "DL3036", "DL3037",
    "DL3038", "DL3040", "DL3041", "DL3042", "DL3043", "DL3044", "DL3045", "DL3046", "DL3047",
    "DL3048", "DL3057", "DL3059", "DL3060", "DL3061", "DL3062", "DL3063", "DL3064", "DL3065",
    "DL3066", "DL3067", "DL4000", "DL4001", "DL4003", "DL4004", "DL4005", "DL4006",
];

/// The rules hadolint also applies to the instructions ONBUILD wraps.
const ONBUILD_CODES: &[&str] = &[
    "DL3001", "DL3004", "DL3008", "DL3009", "DL3013", "DL3014", "DL3015", "DL3016", "DL3018",
    "DL3019", "DL3027", "DL3028", "DL3030", "DL3032", "DL3033", "DL3034", "DL3035", "DL3036",
    "DL3037", "DL3038", "DL3040", "DL3041", "DL3042", "DL3046", "DL3047", "DL3060", "DL3062",
    "DL3064", "DL4001", "DL4005",
];

/// A fresh instance of the rule for `code`.
fn make(code: &str, c: Context) -> Box<dyn Rule> {
    match code {
        "DL1001" => Box::new(dl1001::Dl1001::new(c)),
        "DL3000" => Box::new(dl3000::rule(c)),
        "DL3001" => Box::new(dl3001::rule()),
        "DL3002" => Box::new(dl3002::Dl3002::default()),
        "DL3003" => Box::new(dl3003::rule()),
        "DL3004" => Box::new(dl3004::rule()),
        "DL3006" => Box::new(dl3006::Dl3006::new(c)),
        "DL3007" => Box::new(dl3007::rule(c)),
        "DL3008" => Box::new(dl3008::rule()),
        "DL3009" => Box::new(dl3009::rule(c)),
        "DL3010" => Box::new(dl3010::Dl3010::new()),
        "DL3011" => Box::new(dl3011::rule(c)),
        "DL3012" => Box::new(dl3012::Dl3012::default()),
        "DL3013" => Box::new(dl3013::rule()),
        "DL3014" => Box::new(dl3014::rule()),
        "DL3015" => Box::new(dl3015::rule()),
        "DL3016" => Box::new(dl3016::rule()),
        "DL3018" => Box::new(dl3018::rule()),
        "DL3019" => Box::new(dl3019::rule()),
        "DL3020" => Box::new(dl3020::rule(c)),
        "DL3021" => Box::new(dl3021::rule(c)),
        "DL3022" => Box::new(dl3022::Dl3022::new(c)),
        "DL3023" => Box::new(dl3023::Dl3023::new(c)),
        "DL3024" => Box::new(dl3024::Dl3024::new(c)),
        "DL3025" => Box::new(dl3025::rule(c)),
        "DL3027" => Box::new(dl3027::rule()),
        "DL3028" => Box::new(dl3028::rule()),
        "DL3029" => Box::new(dl3029::rule(c)),
        "DL3030" => Box::new(dl3030::rule()),
        "DL3032" => Box::new(dl3032::rule()),
        "DL3033" => Box::new(dl3033::rule(c)),
        "DL3034" => Box::new(dl3034::rule()),
        "DL3035" => Box::new(dl3035::rule()),
        "DL3036" => Box::new(dl3036::rule()),
        "DL3037" => Box::new(dl3037::rule()),
        "DL3038" => Box::new(dl3038::rule()),
        "DL3040" => Box::new(dl3040::rule()),
        "DL3041" => Box::new(dl3041::rule(c)),
        "DL3042" => Box::new(dl3042::Dl3042::new(c)),
        "DL3043" => Box::new(dl3043::rule(c)),
        "DL3044" => Box::new(dl3044::Dl3044::new(c)),
        "DL3045" => Box::new(dl3045::Dl3045::new(c)),
        "DL3046" => Box::new(dl3046::rule()),
        "DL3047" => Box::new(dl3047::rule()),
        "DL3048" => Box::new(dl3048::rule(c)),
        "DL3057" => Box::new(dl3057::Dl3057::new(c)),
        "DL3059" => Box::new(dl3059::Dl3059::default()),
        "DL3060" => Box::new(dl3060::rule(c)),
        "DL3061" => Box::new(dl3061::Dl3061::default()),
        "DL3062" => Box::new(dl3062::rule()),
        "DL3063" => Box::new(dl3063::rule(c)),
        "DL3064" => Box::new(dl3064::rule(c)),
        "DL3065" => Box::new(dl3065::rule(c)),
        "DL3066" => Box::new(dl3066::Dl3066::default()),
        "DL3067" => Box::new(dl3067::rule(c)),
        "DL4000" => Box::new(dl4000::rule(c)),
        "DL4001" => Box::new(dl4001::Dl4001::default()),
        "DL4003" => Box::new(dl4003::Dl4003::default()),
        "DL4004" => Box::new(dl4004::Dl4004::default()),
        "DL4005" => Box::new(dl4005::rule()),
        "DL4006" => Box::new(dl4006::Dl4006::default()),
        other => unreachable!("no rule {other}"),
    }
}

/// A rule fed only the instructions ONBUILD wraps, as if they stood alone (with the scripts
/// ShellCheck's parser gave up on).
struct OnBuild(Box<dyn Rule>, Unparsed);

/// The RUN scripts ShellCheck's parser did not read whole, and how far it read them (none: not
/// at all): hadolint's shell rules see only the commands that parser found.
pub(crate) type Unparsed = std::sync::Arc<std::collections::HashMap<String, Option<usize>>>;

impl Rule for OnBuild {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        let Some(inner) = onbuild_inner(i) else {
            return;
        };
        let script = (inner.keyword == Keyword::Run)
            .then(|| crate::shell::Script::read(&crate::run_script(&inner), &self.1));
        self.0
            .check(&Step::Instruction(&inner, script.as_ref()), out);
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        self.0.finish(out);
    }
}

/// bosun's own rules (off with `--hadolint-only`), documented in docs/lint-rules.md.
pub const BL_CODES: &[&str] = &[
    "BL1001", "BL1002", "BL1003", "BL1004", "BL1005", "BL1006", "BL1007", "BL1008", "BL1009",
];

/// The label-schema codes, active when a schema requires labels.
pub const LABEL_CODES: &[&str] = &[
    "DL3049", "DL3050", "DL3051", "DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058",
];

/// Every rule, in hadolint's order.
pub(crate) fn all(
    context: &Context,
    dir: Option<&std::path::Path>,
    options: &crate::Options,
    unparsed: &Unparsed,
) -> Vec<Box<dyn Rule>> {
    let c = *context;
    let mut rules: Vec<Box<dyn Rule>> = Vec::new();
    for code in CODES {
        if *code == "DL3026" {
            rules.push(Box::new(dl3026::Dl3026::new(c, options)));
            continue;
        }
        rules.push(make(code, c));
        // hadolint runs these a second time over what ONBUILD instructions wrap.
        if ONBUILD_CODES.contains(code) {
            rules.push(Box::new(OnBuild(make(code, c), unparsed.clone())));
        }
    }
    add_label_rules(&mut rules, c, options);
    if !options.hadolint_only {
        rules.push(Box::new(bl1001::Bl1001::new(c)));
        rules.push(Box::new(bl1002::Bl1002::new(c)));
        rules.push(Box::new(bl1003::Bl1003));
        rules.push(Box::new(bl1004::Bl1004::new(c, options.pins.clone())));
        rules.push(Box::new(bl1005::Bl1005::default()));
        rules.push(Box::new(bl1006::Bl1006::default()));
        rules.push(Box::new(bl1007::Bl1007::new(dir.map(Path::to_path_buf))));
        rules.push(Box::new(bl1008::Bl1008::default()));
        rules.push(Box::new(bl1009::Bl1009::default()));
    }
    rules
}

/// The label-schema rules go where hadolint runs them: DL3049-DL3056 before DL3057, DL3058
/// after it; one instance per required label, labels in name order.
fn add_label_rules(rules: &mut Vec<Box<dyn Rule>>, c: Context, options: &crate::Options) {
    let mut schema = options.label_schema.clone();
    schema.sort_by(|a, b| a.0.cmp(&b.0));
    schema.dedup_by(|a, b| a.0 == b.0);
    let mut before: Vec<Box<dyn Rule>> = Vec::new();
    for (label, _) in &schema {
        before.push(Box::new(labels::Missing::new(c, label.clone())));
    }
    if options.strict_labels {
        let known = schema.iter().map(|(l, _)| l.clone()).collect();
        before.push(Box::new(labels::Superfluous::new(c, known)));
    }
    for (label, _) in &schema {
        before.push(Box::new(labels::Value::not_empty(c, label)));
    }
    for kind in [
        LabelType::Url,
        LabelType::Rfc3339,
        LabelType::Spdx,
        LabelType::Hash,
        LabelType::Semver,
    ] {
        for (label, _) in schema.iter().filter(|(_, k)| *k == kind) {
            before.extend(
                labels::Value::format(c, label, kind).map(|r| Box::new(r) as Box<dyn Rule>),
            );
        }
    }
    let emails: Vec<Box<dyn Rule>> = schema
        .iter()
        .filter(|(_, k)| *k == LabelType::Email)
        .filter_map(|(label, kind)| labels::Value::format(c, label, *kind))
        .map(|r| Box::new(r) as Box<dyn Rule>)
        .collect();
    let at = CODES
        .iter()
        .position(|code| *code == "DL3057")
        .expect("DL3057 is a rule");
    let count = before.len();
    rules.splice(at..at, before);
    let after = at + count + 1;
    rules.splice(after..after, emails);
}

/// A rule that judges each instruction alone: `ok` says whether it passes.
pub(crate) struct Simple {
    code: &'static str,
    severity: Severity,
    message: &'static str,
    context: Context,
    ok: fn(&Instruction, &Context) -> bool,
}

pub(crate) fn simple(
    code: &'static str,
    severity: Severity,
    message: &'static str,
    context: Context,
    ok: fn(&Instruction, &Context) -> bool,
) -> Simple {
    Simple {
        code,
        severity,
        message,
        context,
        ok,
    }
}

impl Rule for Simple {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        if let Step::Instruction(i, _) = step
            && !(self.ok)(i, &self.context)
        {
            out.push(failure(self.code, self.severity, self.message, i.line));
        }
    }
}

pub(crate) fn failure(code: &str, severity: Severity, message: &str, line: usize) -> Failure {
    Failure {
        code: code.to_string(),
        severity,
        message: message.to_string(),
        line,
        column: 1,
    }
}

/// The name an ARG declares (`ARG NAME` or `ARG NAME=default`), as hadolint takes it.
pub(crate) fn arg_name(i: &Instruction) -> String {
    let text = i.args.text();
    text.split('=').next().unwrap_or("").trim().to_string()
}

/// Which stages have something (a HEALTHCHECK, a label), as hadolint tracks it: a stage
/// built on a stage that has it has it too.
#[derive(Default)]
pub(crate) struct Stages {
    /// The current stage.
    current: Option<Stage>,
    good: BTreeSet<Stage>,
    bad: BTreeSet<Stage>,
}

/// A stage: its name (alias, else image name), FROM line, and whether the name is an alias.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Stage {
    name: String,
    line: usize,
    aliased: bool,
    /// The image it is built FROM (a stage's name, when it is one).
    source: String,
}

impl Stages {
    /// A FROM: a new stage. It inherits from a stage that has it and is named like its image;
    /// with `aliases_only` (DL3049) only an aliased stage counts as a parent.
    pub(crate) fn enter(&mut self, base: &BaseImage, line: usize, aliases_only: bool) {
        let stage = Stage {
            name: base.alias.clone().unwrap_or_else(|| base.name.clone()),
            line,
            aliased: base.alias.is_some(),
            source: base.name.clone(),
        };
        let parent = self
            .good
            .iter()
            .any(|s| s.name == base.name && (s.aliased || !aliases_only));
        match parent {
            true => self.good.insert(stage.clone()),
            false => self.bad.insert(stage.clone()),
        };
        self.current = Some(stage);
    }

    /// The current stage has what is looked for.
    pub(crate) fn satisfied(&mut self) {
        if let Some(stage) = &self.current {
            self.bad.remove(stage);
            self.good.insert(stage.clone());
        }
    }

    /// The current stage has what is looked for, and so, as hadolint 2.15.1's DL3057 has it,
    /// do the stages it is built from, up the chain: a HEALTHCHECK in a final stage serves
    /// the stages it extends.
    pub(crate) fn satisfied_up_the_chain(&mut self) {
        let Some(stage) = self.current.clone() else {
            return;
        };
        self.satisfied();
        let mut sources = vec![stage.source];
        while let Some(source) = sources.pop() {
            let parents: Vec<Stage> = self
                .bad
                .iter()
                .filter(|s| s.name == source)
                .cloned()
                .collect();
            for parent in parents {
                self.bad.remove(&parent);
                sources.push(parent.source.clone());
                self.good.insert(parent);
            }
        }
    }

    /// The current stage's name.
    pub(crate) fn current_name(&self) -> Option<String> {
        self.current.as_ref().map(|s| s.name.clone())
    }

    /// Stages aliased `alias` are no longer reported (DL3049: a later stage built on one, or
    /// copying from one, vouches for it).
    pub(crate) fn silence(&mut self, alias: &str) {
        self.bad.retain(|s| !(s.aliased && s.name == alias));
    }

    /// The FROM lines of the stages that lack it (hadolint keeps one per line, in order).
    pub(crate) fn lacking(&self) -> BTreeSet<usize> {
        self.bad.iter().map(|s| s.line).collect()
    }
}

/// Whether a file name is an archive, by hadolint's list of extensions (no `.zip`).
pub(crate) fn is_archive(name: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".tar", ".gz", ".bz2", ".xz", ".tgz", ".tb2", ".tbz", ".tbz2", ".lz", ".lzma", ".tlz",
        ".txz", ".Z", ".tZ",
    ];
    EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}

/// `FROM [--platform=P] IMAGE[:TAG][@DIGEST] [AS NAME]`, as hadolint's parser splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseImage {
    /// The registry, when the first path component names one.
    pub(crate) registry: Option<String>,
    /// The image name without registry, tag or digest.
    pub(crate) name: String,
    pub(crate) tag: Option<String>,
    pub(crate) digest: Option<String>,
    pub(crate) alias: Option<String>,
    pub(crate) platform: Option<String>,
}

impl BaseImage {
    pub(crate) fn of(i: &Instruction, context: &Context) -> Option<BaseImage> {
        if i.keyword != Keyword::From {
            return None;
        }
        let words = i.words(context.escape);
        let alias = match words.get(1) {
            Some(w) if w.eq_ignore_ascii_case("as") => words.get(2).cloned(),
            _ => None,
        };
        Some(BaseImage {
            alias,
            platform: i.flag("platform").map(str::to_string),
            ..BaseImage::parse(words.first()?)
        })
    }

    /// An image reference as written (`[REGISTRY/]NAME[:TAG][@DIGEST]`), with no alias.
    pub(crate) fn parse(reference: &str) -> BaseImage {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (reference, None),
        };
        let (path, tag) = match rest.rfind(':') {
            Some(at) if !rest[at..].contains('/') => {
                (&rest[..at], Some(rest[at + 1..].to_string()))
            }
            _ => (rest, None),
        };
        let (registry, name) = match path.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), rest.to_string())
            }
            _ => (None, path.to_string()),
        };
        BaseImage {
            registry,
            name,
            tag,
            digest,
            alias: None,
            platform: None,
        }
    }
}

/// A rule that judges each RUN's script alone: `ok` says whether it passes.
pub(crate) struct RunCheck {
    code: &'static str,
    severity: Severity,
    message: &'static str,
    ok: fn(&Script) -> bool,
    /// Cache mounts that make the rule moot (see [`cache_mounts`]).
    cached: fn(&[String]) -> bool,
}

pub(crate) fn run_check(
    code: &'static str,
    severity: Severity,
    message: &'static str,
    ok: fn(&Script) -> bool,
) -> RunCheck {
    RunCheck {
        code,
        severity,
        message,
        ok,
        cached: |_| false,
    }
}

impl RunCheck {
    /// The rule does not apply to a RUN whose cache mounts satisfy `cached`.
    pub(crate) fn unless_cached(self, cached: fn(&[String]) -> bool) -> RunCheck {
        RunCheck { cached, ..self }
    }
}

impl Rule for RunCheck {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        if let Step::Instruction(i, Some(script)) = step
            && !(self.ok)(script)
            && !(self.cached)(&cache_mounts(i))
        {
            out.push(failure(self.code, self.severity, self.message, i.line));
        }
    }
}

/// The targets of a RUN's `--mount=type=cache` and `--mount=type=tmpfs` mounts (`target`,
/// `dst` or `destination`). BuildKit keeps what is written there out of the image, so
/// hadolint's cache rules let a RUN be when its package manager's cache is such a mount.
pub(crate) fn cache_mounts(i: &Instruction) -> Vec<String> {
    mounts(i)
        .filter_map(|options| {
            let kind = options.iter().find(|(k, _)| *k == "type").map(|(_, v)| *v);
            matches!(kind, Some("cache" | "tmpfs")).then_some(())?;
            options
                .iter()
                .find(|(k, _)| matches!(*k, "target" | "dst" | "destination"))
                .map(|(_, v)| v.to_string())
        })
        .collect()
}

/// The `key=value` options of each of a RUN's `--mount` flags.
fn mounts(i: &Instruction) -> impl Iterator<Item = Vec<(&str, &str)>> {
    i.flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter_map(|f| f.value.as_deref())
        .map(|mount| mount.split(',').filter_map(|o| o.split_once('=')).collect())
}

/// The images a RUN's `--mount=type=cache` and `type=bind` (the default type) mounts take files
/// from (`from=`; `scratch` when none is named). Other mount types take no image.
pub(crate) fn mount_images(i: &Instruction) -> Vec<String> {
    mounts(i)
        .filter_map(|options| {
            let kind = options.iter().find(|(k, _)| *k == "type").map(|(_, v)| *v);
            matches!(kind, None | Some("cache" | "bind")).then_some(())?;
            let from = options.iter().find(|(k, _)| *k == "from").map(|(_, v)| *v);
            Some(from.unwrap_or("scratch").to_string())
        })
        .collect()
}

/// An instruction a stage may hold once: a repeat is reported, a FROM starts over.
pub(crate) struct Once {
    pub(crate) keyword: Keyword,
    pub(crate) code: &'static str,
    pub(crate) severity: Severity,
    pub(crate) message: &'static str,
}

impl Once {
    pub(crate) fn check(&self, seen: &mut Option<()>, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if i.keyword == Keyword::From {
            *seen = None;
        } else if i.keyword == self.keyword && seen.replace(()).is_some() {
            out.push(failure(self.code, self.severity, self.message, i.line));
        }
    }
}

/// The instruction an `ONBUILD` wraps.
pub(crate) fn onbuild_inner(i: &Instruction) -> Option<Instruction> {
    if i.keyword != Keyword::Onbuild {
        return None;
    }
    let text = match &i.args {
        Args::Shell(t) => t.clone(),
        Args::Exec(_) => return None,
    };
    let file = Dockerfile::parse(&text).ok()?;
    let mut inner = file.instructions().next()?.clone();
    inner.line = i.line;
    Some(inner)
}

/// `KEY=value ...` or the legacy `KEY value` of ENV and LABEL, values unquoted.
pub(crate) fn pairs(i: &Instruction, context: &Context) -> Vec<(String, String)> {
    let text = i.args.text();
    let unquote = |w: &str| bosun_dockerfile::unquote(w, context.escape);
    let mut out = Vec::new();
    let mut at = 0;
    for word in bosun_dockerfile::split_words(&text, context.escape) {
        // Words are kept as written, so each is found again after the previous one.
        let start = at + text[at..].find(&word).unwrap_or(0);
        at = start + word.len();
        match word.split_once('=') {
            Some((k, v)) => out.push((unquote(k), unquote(v))),
            // `NAME VALUE...` (first or after the pairs, as hadolint reads it) takes the rest.
            None => {
                out.push((unquote(&word), text[at..].trim().to_string()));
                break;
            }
        }
    }
    out
}

/// COPY's `--from`, sources and destination (the last word).
pub(crate) fn copy_parts(i: &Instruction) -> Option<(Vec<String>, String)> {
    if !matches!(i.keyword, Keyword::Copy | Keyword::Add) {
        return None;
    }
    let mut words: Vec<String> = match &i.args {
        Args::Exec(words) => words.clone(),
        // hadolint's parser splits COPY and ADD paths at blanks alone, quoted or not, and
        // keeps backslashes (Windows paths); its rules then drop quotes at either end.
        Args::Shell(text) => text
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .collect(),
    };
    let dest = words.pop()?;
    Some((words, dest))
}

#[cfg(test)]
pub(crate) mod testing {
    /// The lines where `code` fires on `text`.
    pub(crate) fn codes(text: &str, code: &str) -> Vec<usize> {
        codes_with(text, code, &crate::Options::default())
    }

    /// Each body, after `FROM a:1`, makes `code` fire on line 2.
    pub(crate) fn fires_on_line_2(code: &str, bodies: &[&str]) {
        for body in bodies {
            assert_eq!(codes(&format!("FROM a:1\n{body}"), code), [2], "{body}");
        }
    }

    /// No body, after `FROM a:1`, makes `code` fire.
    pub(crate) fn holds(code: &str, bodies: &[&str]) {
        for body in bodies {
            assert!(
                codes(&format!("FROM a:1\n{body}"), code).is_empty(),
                "{body}"
            );
        }
    }

    /// The lines where `code` fires on `text`, linted with `options`.
    pub(crate) fn codes_with(text: &str, code: &str, options: &crate::Options) -> Vec<usize> {
        crate::lint(text, options)
            .failures
            .into_iter()
            .filter(|f| f.code == code)
            .map(|f| f.line)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(text: &str) -> BaseImage {
        let file = Dockerfile::parse(text).unwrap();
        let from = file.instructions().next().unwrap();
        BaseImage::of(
            from,
            &Context {
                escape: '\\',
                hadolint_only: false,
            },
        )
        .unwrap()
    }

    #[test]
    fn base_images() {
        let b = base(
            "FROM --platform=linux/arm64 registry.example:5000/team/app:1.2@sha256:abc AS build",
        );
        assert_eq!(b.registry.as_deref(), Some("registry.example:5000"));
        assert_eq!(b.name, "team/app");
        assert_eq!(b.tag.as_deref(), Some("1.2"));
        assert_eq!(b.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(b.alias.as_deref(), Some("build"));
        assert_eq!(b.platform.as_deref(), Some("linux/arm64"));
        let b = base("FROM localhost:5000/app");
        assert_eq!(
            (b.registry.as_deref(), b.tag),
            (Some("localhost:5000"), None)
        );
        assert_eq!(base("from debian as x").alias.as_deref(), Some("x"));
    }
}
