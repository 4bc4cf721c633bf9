//! What every scenario must provide. Adding a scenario is one file (or one
//! folder) in its family plus one line in the registry; this test names
//! whatever is still missing: a complete card, a lecture script and a
//! broken-variant script in `assets/`, and property tests.

use distlab::card::{Card, Kind, check_param};
use distlab::engine::protocol::Role;
use std::path::Path;

const GENERIC_VERBS: &[&str] = &[
    "step",
    "run",
    "deliver",
    "drop",
    "delay",
    "dup",
    "crash",
    "recover",
    "partition",
    "cut",
    "heal",
    "loss",
    "dup-rate",
    "latency",
    "sched",
    "fifo",
    "say",
    "pause",
    "select",
    "hb",
    "expect",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The scenario a script's `# distlab: run NAME ...` header names.
fn script_scenario(text: &str) -> Option<&str> {
    distlab::card::script_run_line(text)?.split_whitespace().next()
}

/// Everything wrong with one card, as sentences.
fn problems(card: &Card) -> Vec<String> {
    let mut p = Vec::new();
    let mut need = |ok: bool, what: String| {
        if !ok {
            p.push(what);
        }
    };
    for (field, text) in [("title", card.title), ("about", card.about), ("action", card.action)] {
        need(!text.trim().is_empty(), format!("`{field}` is empty"));
    }
    need(
        card.seeds.is_empty() || card.seeds.split(", ").all(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())),
        format!("`seeds` {:?} is not like \"000, 001\"", card.seeds),
    );
    need(
        card.about.chars().count() <= 100,
        format!("`about` is one line for lists: {} characters, at most 100", card.about.chars().count()),
    );
    need(card.description.len() >= 120, "`description` must be a paragraph (120+ characters)".into());
    let r = card.nodes;
    need(
        r.min >= 1 && r.min <= r.default && r.default <= r.max,
        format!("node range {r:?} is not min <= default <= max"),
    );
    need(!card.roles.is_empty(), "no `roles`".into());
    for r in card.roles {
        need(!r.help.is_empty(), format!("role {} has no help", r.name));
    }
    // The roles the nodes show, each in the algorithm's own word.
    need(!card.role_words.is_empty(), "no `role_words` (the word of each role its nodes show)".into());
    for (i, (role, word)) in card.role_words.iter().enumerate() {
        need(
            !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            format!("role word {word:?} is not one lowercase word (letters and -)"),
        );
        need(*role != Role::Crashed || *word == "crashed", format!("a crashed node is \"crashed\", not {word:?}"));
        for (other, w) in &card.role_words[..i] {
            need(other != role, format!("role {role:?} is named twice"));
            need(w != word, format!("role word {word:?} names two roles"));
        }
    }
    need(!card.verbs.is_empty(), "no `verbs`".into());
    for (i, v) in card.verbs.iter().enumerate() {
        need(!v.help.is_empty(), format!("verb {} has no help", v.name));
        need(!GENERIC_VERBS.contains(&v.name), format!("verb {} hides a generic command", v.name));
        need(!card.verbs[..i].iter().any(|w| w.name == v.name), format!("verb {} is declared twice", v.name));
        for (j, a) in v.args.iter().enumerate() {
            if let Kind::Node(Some(role)) = a.kind {
                need(
                    card.roles.iter().any(|r| r.name == role),
                    format!("verb {}: role {role} is not a card role", v.name),
                );
            }
            need(
                !matches!(a.kind, Kind::Text) || j + 1 == v.args.len(),
                format!("verb {}: a text argument must be the last", v.name),
            );
            need(
                a.optional || v.args[..j].iter().all(|b| !b.optional),
                format!("verb {}: a required argument follows an optional one", v.name),
            );
        }
    }
    for (i, prm) in card.params.iter().enumerate() {
        need(!prm.help.is_empty(), format!("parameter {} has no help", prm.key));
        need(!card.params[..i].iter().any(|q| q.key == prm.key), format!("parameter {} is declared twice", prm.key));
        // A derived default (`2×timeout`) is words its build works out.
        if !prm.is_derived()
            && let Err(e) = check_param(card, prm.key, prm.default, r.default)
        {
            need(false, format!("parameter {}: its default fails its own check: {e}", prm.key));
        }
    }
    need(card.variants.len() >= 2, "a correct variant and at least one broken one".into());
    if let Some(first) = card.variants.first() {
        need(
            first.breaks.is_empty(),
            format!("the first variant, {}, is the correct one and breaks nothing", first.name),
        );
        let default = card.param(card.variant_key()).map(|p| p.default);
        need(
            default == Some(first.name),
            format!("the variant parameter's default is the first variant, {}", first.name),
        );
    }
    for v in card.variants.iter().skip(1) {
        need(!v.breaks.is_empty(), format!("broken variant {} names no property that catches it", v.name));
        for b in v.breaks {
            need(card.property(b).is_some(), format!("variant {} breaks {b}, which is not a card property", v.name));
        }
    }
    need(
        card.params.iter().filter(|q| matches!(q.kind, Kind::Variant)).count() == 1,
        "exactly one parameter of kind Variant (`variant`, or the scenario's own word for it)".into(),
    );
    need(!card.properties.is_empty(), "no `properties`".into());
    for (i, prop) in card.properties.iter().enumerate() {
        need(!prop.definition.is_empty(), format!("property {} has no definition", prop.name));
        need(!card.properties[..i].iter().any(|q| q.name == prop.name), format!("property {} twice", prop.name));
    }
    need(!card.results.is_empty(), "no headless `results` fields".into());
    // Lecture scripts: the card lists exactly the scripts whose header runs it.
    for (file, what) in
        [(format!("{}.dl", card.name), "lecture script"), (format!("{}-broken.dl", card.name), "broken-variant script")]
    {
        need(card.scripts.iter().any(|s| s.file == file), format!("its {what} assets/{file} is not in `scripts`"));
    }
    for s in card.scripts {
        need(!s.about.is_empty(), format!("script {} has no `about`", s.file));
        need(
            s.about.chars().count() <= 140,
            format!("script {}: `about` is one table cell, at most 140 characters", s.file),
        );
        match std::fs::read_to_string(root().join("assets").join(s.file)) {
            Ok(text) => need(
                script_scenario(&text) == Some(card.name),
                format!("assets/{}: line 1 must be `# distlab: run {} ...`", s.file, card.name),
            ),
            Err(e) => need(false, format!("assets/{} cannot be read: {e}", s.file)),
        }
    }
    // Property tests: in tests/<name>.rs, or the scenario's tests in tests/properties.rs.
    let snake = card.name.replace('-', "_");
    let own = std::fs::read_to_string(root().join("tests").join(format!("{snake}.rs"))).unwrap_or_default();
    let shared = std::fs::read_to_string(root().join("tests/properties.rs")).unwrap_or_default();
    need(
        own.contains("proptest!") || (shared.contains("proptest!") && shared.contains(&format!("fn {snake}_"))),
        format!("property tests (a `proptest!` in tests/{snake}.rs)"),
    );
    p
}

#[test]
fn every_scenario_provides_what_a_scenario_must() {
    let mut report = Vec::new();
    for e in distlab::algos::all() {
        for problem in problems(e.card) {
            report.push(format!("{}: {problem}", e.card.name));
        }
    }
    assert!(report.is_empty(), "scenarios are missing parts:\n  {}", report.join("\n  "));
}

#[test]
fn every_script_in_assets_belongs_to_a_card() {
    let cards = distlab::algos::all();
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(root().join("assets")).expect("assets/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "dl") {
            continue;
        }
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let listed = cards
            .iter()
            .any(|e| Some(e.card.name) == script_scenario(&text) && e.card.scripts.iter().any(|s| s.file == file));
        if !listed {
            orphans.push(file);
        }
    }
    assert!(orphans.is_empty(), "scripts no card lists in its `scripts`: {orphans:?}");
}

#[test]
fn scenario_names_are_unique_and_found() {
    let cards = distlab::algos::all();
    for (i, e) in cards.iter().enumerate() {
        assert!(cards[..i].iter().all(|f| f.card.name != e.card.name), "{} registered twice", e.card.name);
        assert_eq!(distlab::algos::find(e.card.name).map(|f| f.card.name), Ok(e.card.name));
    }
    assert!(distlab::algos::find("nope").is_err());
}

/// The contract can fail: a card missing its parts is named part by part.
#[test]
fn an_incomplete_card_is_named_part_by_part() {
    use distlab::card::{Family, NodeRange, ParamCard, VariantCard};
    static BARE: Card = Card {
        name: "bare",
        role_words: &[],
        title: "Bare",
        family: Family::Mutex,
        tolerates: &[],
        about: "a scenario that forgot most of its card",
        description: "too short",
        seeds: "7",
        nodes: NodeRange { default: 9, min: 1, max: 4 },
        roles: &[],
        verbs: &[],
        params: &[ParamCard { key: "cs", kind: Kind::Ms { min: 1, max: 10 }, default: "0", help: "" }],
        variants: &[VariantCard { name: "correct", help: "", breaks: &[] }],
        properties: &[],
        results: &[],
        scripts: &[],
        action: "",
    };
    let found = problems(&BARE);
    for expected in [
        "`action` is empty",
        "`seeds` \"7\" is not like \"000, 001\"",
        "`description` must be a paragraph (120+ characters)",
        "is not min <= default <= max",
        "no `roles`",
        "no `role_words`",
        "no `verbs`",
        "parameter cs has no help",
        "parameter cs: its default fails its own check",
        "a correct variant and at least one broken one",
        "exactly one parameter of kind Variant",
        "no `properties`",
        "no headless `results` fields",
        "its lecture script assets/bare.dl is not in `scripts`",
        "its broken-variant script assets/bare-broken.dl is not in `scripts`",
        "property tests (a `proptest!` in tests/bare.rs)",
    ] {
        assert!(found.iter().any(|p| p.contains(expected)), "{expected:?} not reported in {found:#?}");
    }
}

/// The roles a run gives its nodes (`Algorithm::node_roles`, worked out
/// from the parameters) are the card's roles, and every card role is played
/// at the default node count: the parser's role checks and the cards agree.
#[test]
fn every_node_plays_a_role_of_its_card() {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    for e in distlab::algos::all() {
        let card = e.card;
        let mut sim = distlab::engine::sim::SimConfig::new(card.nodes.default, 1);
        sim.driver = distlab::engine::actor::DriverKind::Inline;
        let config = distlab::engine::trace::RunConfig { scenario: card.name.into(), params: Vec::new(), sim };
        let sc = rt.block_on(distlab::algos::open_run(config)).unwrap_or_else(|err| panic!("{}: {err}", card.name));
        let played: Vec<&str> = (0..sc.n()).map(|i| sc.node_role(i)).collect();
        for role in &played {
            assert!(card.roles.iter().any(|r| r.name == *role), "{}: node role {role:?} is not on the card", card.name);
        }
        for r in card.roles {
            assert!(
                played.contains(&r.name),
                "{}: no node plays {} at {} nodes",
                card.name,
                r.name,
                card.nodes.default
            );
        }
    }
}

/// The role of a node glyph on screen (the glyphs are shared by every scenario).
fn role_of_glyph(glyph: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|&r| distlab::tui::theme::role_symbol(r) == glyph)
}

/// Every `GLYPH word` pair on a screen (the topology's legend, the
/// inspector's title, the help's symbols): the role and the word shown.
fn role_words_on(screen: &str) -> Vec<(Role, String)> {
    let mut out = Vec::new();
    for line in screen.lines() {
        let chars: Vec<char> = line.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let Some(role) = role_of_glyph(&c.to_string()) else { continue };
            if chars.get(i + 1) != Some(&' ') {
                continue;
            }
            let word: String = chars[i + 2..].iter().take_while(|c| c.is_ascii_lowercase() || **c == '-').collect();
            if !word.is_empty() {
                out.push((role, word));
            }
        }
    }
    out
}

/// Every role word a scenario shows comes from its card: drive every
/// scenario through the TUI (the action key on every node, steps, a crash
/// and a recovery), and at each turn read the screen: each role a node
/// plays is one the card names, and each word beside a role's glyph (the
/// legend, the inspector's title) is the card's word for that role. The
/// help and the guide list the card's words too, and `expect role` takes
/// them (and refuses a generic word the card calls otherwise).
#[test]
fn every_role_word_on_screen_comes_from_the_card() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let action = distlab::tui::keymap::action_key().chars().next().expect("a key");
    for e in distlab::algos::all() {
        let card = e.card;
        let shown = card.roles_shown();
        let mut sim = distlab::engine::sim::SimConfig::new(card.nodes.default, 1);
        sim.driver = distlab::engine::actor::DriverKind::Inline;
        let config = distlab::engine::trace::RunConfig { scenario: card.name.into(), params: Vec::new(), sim };
        let start = distlab::tui::Start { config: Some(config), script: None, replay: None, ..Default::default() };
        rt.block_on(async {
            let mut app = distlab::tui::App::new(start).await.unwrap_or_else(|err| panic!("{}: {err}", card.name));
            let n = app.scenario.as_ref().unwrap().n();
            let mut seen = std::collections::BTreeSet::new();
            for round in 0..6 {
                for node in 0..n {
                    app.exec(&format!("select {node}")).await.unwrap();
                    app.on_key(KeyEvent::new(KeyCode::Char(action), KeyModifiers::NONE)).await;
                    let step = if round % 2 == 0 { "step 1" } else { "step 3" };
                    app.exec(step).await.unwrap();
                    match (round, node) {
                        (2, 1) => app.exec("crash 1").await.unwrap(),
                        (4, 1) => app.exec("recover 1").await.unwrap(),
                        _ => {}
                    }
                    let sc = app.scenario.as_ref().unwrap();
                    for x in 0..n {
                        let r = sc.role(x);
                        assert!(
                            shown.contains(&r),
                            "{}: node {x} shows {r:?}, which its card does not name",
                            card.name
                        );
                        seen.insert(card.role_word(r));
                    }
                    let screen = distlab::tui::buffer_text(&distlab::tui::render_to_buffer(&app, 120, 40));
                    // The panes, without the header's badge (`✗ property`) and the status line.
                    let rows: Vec<&str> = screen.lines().collect();
                    let panes = rows[1..rows.len() - 2].join("\n");
                    for (role, word) in role_words_on(&panes) {
                        assert_eq!(
                            word,
                            card.role_word(role),
                            "{}: {role:?} is shown as {word:?}\n{screen}",
                            card.name
                        );
                    }
                }
            }
            assert!(seen.len() >= 2, "{}: the drive showed only {seen:?}", card.name);
            // The help lists exactly the card's roles, in its words.
            let help: Vec<String> = distlab::tui::help::lines(app.scenario.as_deref(), 120)
                .iter()
                .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
                .collect();
            let help = help.join("\n");
            let line = help.lines().find(|l| l.contains(" nodes ")).expect("help lists the node symbols");
            let words: Vec<(Role, String)> = role_words_on(line);
            let want: Vec<(Role, String)> = shown.iter().map(|&r| (r, card.role_word(r).to_string())).collect();
            assert_eq!(words, want, "{}: help's node symbols\n{help}", card.name);
        });
        // `distlab info` and the guide name the words `expect role` takes.
        let info = distlab::card::info_text(card, "r");
        let list: Vec<&str> = shown.iter().map(|&r| card.role_word(r)).collect();
        assert!(info.contains(&list.join(" | ")), "{}: info does not list {list:?}", card.name);
    }
}

/// `#N` is a message or timer id, `eN` an event (what `hb` takes and the
/// diagram shows), everywhere: run every scenario (its action on every
/// node, steps, a crash and a recovery) and read its log and every
/// node's inspector. A delivery or a timer names its id `#N` and the event
/// it starts `(eN)`, an event of the node it names; no line or row calls a
/// node's event `#N` (`#4 send`).
#[test]
fn events_are_en_and_ids_are_hash_n() {
    use distlab::engine::record::EvKind;
    const EVENT_WORDS: &[&str] =
        &["send", "receive", "recv", "local", "start", "recover", "broadcast", "request", "crash", "event"];
    // `#12 send`: an id followed by an event's word.
    fn hash_event(text: &str) -> bool {
        text.match_indices('#').any(|(i, _)| {
            let rest = &text[i + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0
                && rest[digits..]
                    .strip_prefix(' ')
                    .is_some_and(|after| EVENT_WORDS.iter().any(|w| after.starts_with(w)))
        })
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    for e in distlab::algos::all() {
        let card = e.card;
        let mut sim = distlab::engine::sim::SimConfig::new(card.nodes.default, 1);
        sim.driver = distlab::engine::actor::DriverKind::Inline;
        let config = distlab::engine::trace::RunConfig { scenario: card.name.into(), params: Vec::new(), sim };
        rt.block_on(async {
            let mut sc = distlab::algos::open_run(config).await.unwrap_or_else(|err| panic!("{}: {err}", card.name));
            let n = sc.n();
            let mut rows = Vec::new();
            let mut delivered = 0;
            for round in 0..5 {
                for node in 0..n {
                    if let Some(input) = sc.action(node) {
                        sc.apply(input).await.unwrap();
                    }
                    sc.apply(distlab::engine::input::Input::Step(2)).await.unwrap();
                    if (round, node) == (2, 1) {
                        sc.apply(distlab::engine::input::Input::Crash(1)).await.unwrap();
                    }
                    if (round, node) == (3, 1) {
                        sc.apply(distlab::engine::input::Input::Recover(1)).await.unwrap();
                    }
                    // The log keeps its latest lines: read them as they come.
                    for l in sc.log().iter().filter(|l| !l.input) {
                        let t = &l.text;
                        assert!(!hash_event(t), "{}: the log calls an event #N: {t:?}", card.name);
                        if t.starts_with('#') && (t.contains(" delivered (e") || t.contains(" fires at node ")) {
                            let at = t.rfind("(e").expect("an event number");
                            let ev: usize = t[at + 2..t.len() - 1].parse().unwrap_or_else(|_| panic!("{t:?}"));
                            let rec = &sc.history()[ev];
                            let to: usize = if t.contains(" fires at node ") {
                                t.split(" fires at node ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap()
                            } else {
                                t.split('→').nth(1).unwrap().split(' ').next().unwrap().parse().unwrap()
                            };
                            assert_eq!(rec.node as usize, to, "{}: {t:?} names e{ev} of node {}", card.name, rec.node);
                            assert!(
                                matches!(rec.kind, EvKind::Recv { .. } | EvKind::Timer { .. }),
                                "{}: {t:?}: e{ev} is {:?}",
                                card.name,
                                rec.kind
                            );
                            delivered += 1;
                        }
                    }
                    for x in 0..n {
                        rows.extend(sc.inspect(x).await.into_iter().map(|r| format!("{}: {}", r.label, r.value)));
                    }
                }
            }
            assert!(delivered > 0, "{}: nothing was delivered", card.name);
            for r in rows {
                assert!(!hash_event(&r), "{}: the inspector calls an event #N: {r:?}", card.name);
            }
        });
    }
}

/// Every `#N` in one text with what follows it: `(N, rest of the text)`.
fn hash_ids(text: &str) -> Vec<(u64, &str)> {
    text.match_indices('#')
        .filter_map(|(i, _)| {
            let rest = &text[i + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            Some((rest[..digits].parse().ok()?, &rest[digits..]))
        })
        .collect()
}

/// What the engine knows of an id it assigned: a message's link, or a timer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Assigned {
    Msg { from: usize, to: usize },
    Timer,
}

/// Is `#N` (followed by `rest`) the engine's id of a message or timer it
/// assigned, named the way the engine names it: a message's id is followed
/// by its link (`#9 1→2`), a timer's by `timer` (the log's `#4 timer … fires`)?
/// A scenario's own number (`#2 add(3, 4)`, `c2#1`, `(#3)`, `0#2`) is not.
fn names_an_engine_id(id: u64, rest: &str, assigned: &std::collections::BTreeMap<u64, Assigned>) -> bool {
    match assigned.get(&id) {
        Some(Assigned::Msg { from, to }) => rest.starts_with(&format!(" {from}→{to}")),
        Some(Assigned::Timer) => rest.starts_with(" timer "),
        None => false,
    }
}

/// `#N` means an engine message or timer id, nothing else: a scenario's
/// own numbers (call ids, transfer ids, job numbers, sequence numbers) must
/// never look like one. Run every scenario in every variant, one event at a
/// time (its action on every node, a duplicate, a drop, a crash and a
/// recovery), and note every id the engine puts in flight. Every `#N` in the
/// log (its notes included), the in-flight summaries, every node's inspector
/// rows, the statuses and the violations is one of those ids, next to the
/// link of that very message (or `timer`): ids are small numbers, so a
/// scenario's `#2` would often be some id by chance, never with its link.
#[test]
fn hash_n_is_only_an_id_the_engine_assigned() {
    use distlab::engine::input::Input;
    use std::collections::BTreeMap;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let mut checked = 0usize;
    let mut bad = std::collections::BTreeSet::new();
    for e in distlab::algos::all() {
        let card = e.card;
        for variant in card.variant_names() {
            let mut sim = distlab::engine::sim::SimConfig::new(card.nodes.default, 1);
            sim.driver = distlab::engine::actor::DriverKind::Inline;
            let params = vec![(card.variant_key().to_string(), variant.to_string())];
            let config = distlab::engine::trace::RunConfig { scenario: card.name.into(), params, sim };
            let run = format!("{} -p {}={variant}", card.name, card.variant_key());
            rt.block_on(async {
                let mut sc = distlab::algos::open_run(config).await.unwrap_or_else(|err| panic!("{run}: {err}"));
                let n = sc.n();
                let mut assigned: BTreeMap<u64, Assigned> = BTreeMap::new();
                let mut texts: Vec<(&str, String)> = Vec::new();
                let mut log = std::collections::BTreeSet::new();
                let mut note_in_flight = |sc: &dyn distlab::scenario::Scenario, texts: &mut Vec<(&str, String)>| {
                    for f in sc.in_flight(usize::MAX).0 {
                        let what = match f.from {
                            Some(from) => Assigned::Msg { from, to: f.to },
                            None => Assigned::Timer,
                        };
                        assigned.insert(f.id, what);
                        texts.push(("an in-flight summary", f.summary));
                    }
                };
                // What the nodes sent as they started.
                note_in_flight(sc.as_ref(), &mut texts);
                for round in 0..4 {
                    for node in 0..n {
                        let mut inputs: Vec<Input> = sc.action(node).into_iter().collect();
                        let (flying, _) = sc.in_flight(usize::MAX);
                        let first_msg = flying.iter().find(|f| f.from.is_some()).map(|f| f.id);
                        match (round, node, first_msg) {
                            (1, 0, Some(id)) => inputs.push(Input::Dup(id)),
                            (2, 0, Some(id)) => inputs.push(Input::Drop(id)),
                            _ => {}
                        }
                        if (round, node) == (2, 1) {
                            inputs.push(Input::Crash(1));
                        }
                        if (round, node) == (3, 1) {
                            inputs.push(Input::Recover(1));
                        }
                        inputs.extend([Input::Step(1), Input::Step(1), Input::Step(1)]);
                        for input in inputs {
                            // A refused input (an idle step, a verb at a crashed node) changes nothing.
                            let _ = sc.apply(input).await;
                            // One event at a time: every id is in flight after some input.
                            note_in_flight(sc.as_ref(), &mut texts);
                            // The log keeps its latest lines: read them as they come.
                            for l in sc.log() {
                                log.insert((l.step, l.time, l.text.clone()));
                            }
                        }
                        for x in 0..n {
                            for r in sc.inspect(x).await {
                                texts.push(("an inspector row", format!("{}: {}", r.label, r.value)));
                            }
                        }
                        texts.extend(sc.statuses().into_iter().map(|s| ("a status", s)));
                        texts.extend(sc.violations().iter().map(|v| ("a violation", v.detail.clone())));
                    }
                }
                assert!(!assigned.is_empty(), "{run}: nothing was ever in flight");
                texts.extend(log.into_iter().map(|(_, _, text)| ("a log line", text)));
                for (what, text) in &texts {
                    for (id, rest) in hash_ids(text) {
                        checked += 1;
                        if !names_an_engine_id(id, rest, &assigned) {
                            bad.insert(format!("{run}: {what} says #{id}: {text:?}"));
                        }
                    }
                }
            });
        }
    }
    assert!(
        bad.is_empty(),
        "a #N that is not the id of a message or timer the engine assigned (a scenario's own number must not \
         look like one):\n  {}",
        bad.into_iter().collect::<Vec<_>>().join("\n  ")
    );
    assert!(checked > 100, "only {checked} ids were checked: the drive shows too little");
}
