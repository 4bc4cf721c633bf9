//! What every scenario must provide. Adding a scenario is one file (or one
//! folder) in its family plus one line in the registry; this test names
//! whatever is still missing: a complete card, a lecture script and a
//! broken-variant script in `assets/`, and property tests.

use distlab::card::{Card, Kind, check_param};
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
