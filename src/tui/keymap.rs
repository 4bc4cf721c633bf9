//! The one keymap table. The key bar, the help overlay and the key
//! dispatcher are all generated from it, so help cannot drift from keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask the app to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Step,
    PlayPause,
    Faster,
    Slower,
    PrevNode,
    NextNode,
    NodeAction,
    Crash,
    Recover,
    Cut,
    Heal,
    CursorUp,
    CursorDown,
    Deliver,
    Drop,
    Back,
    Restart,
    Save,
    Prompt,
    Help,
    Guide,
    Next,
    Quit,
}

/// A key: its code and whether Ctrl must be held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: false }
}
const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}
const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true }
}

/// One row of the keymap.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub keys: &'static [Key],
    /// How help writes the keys.
    pub label: &'static str,
    pub action: Action,
    /// Key and word for the key bar (`None`: help only).
    pub bar: Option<(&'static str, &'static str)>,
    /// What it does, for help.
    pub help: &'static str,
    /// The command of the command language it runs (or the TUI prompt
    /// command it is equivalent to); shown in help and the status line.
    pub command: &'static str,
}

/// Word used in the key bar for the scenario's action key; replaced by
/// the scenario's own label (e.g. "request / release").
pub const ACTION_WORD: &str = "action";

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: &[k(' '), k('s')],
        label: "space s",
        action: Action::Step,
        bar: Some(("␣", "step")),
        help: "deliver the next event",
        command: "step",
    },
    Binding {
        keys: &[k('p')],
        label: "p",
        action: Action::PlayPause,
        bar: Some(("p", "play")),
        help: "play / stop at the current speed",
        command: "play | stop",
    },
    Binding {
        keys: &[k('+'), k('=')],
        label: "+",
        action: Action::Faster,
        bar: None,
        help: "play faster",
        command: "speed N",
    },
    Binding {
        keys: &[k('-'), k('_')],
        label: "-",
        action: Action::Slower,
        bar: None,
        help: "play slower",
        command: "speed N",
    },
    Binding {
        keys: &[code(KeyCode::Left), k('h'), code(KeyCode::BackTab)],
        label: "← h S-Tab",
        action: Action::PrevNode,
        bar: None,
        help: "select the previous node (or click it)",
        command: "select N",
    },
    Binding {
        keys: &[code(KeyCode::Right), k('l'), code(KeyCode::Tab)],
        label: "→ l Tab",
        action: Action::NextNode,
        bar: Some(("←→", "node")),
        help: "select the next node (or click it)",
        command: "select N",
    },
    Binding {
        keys: &[k('r')],
        label: "r",
        action: Action::NodeAction,
        bar: Some(("r", ACTION_WORD)),
        help: "the scenario's action on the selected node",
        command: "VERB N",
    },
    Binding {
        keys: &[k('c')],
        label: "c",
        action: Action::Crash,
        bar: Some(("c", "crash")),
        help: "crash the selected node",
        command: "crash N",
    },
    Binding {
        keys: &[k('v')],
        label: "v",
        action: Action::Recover,
        bar: Some(("v", "recover")),
        help: "recover the selected node",
        command: "recover N",
    },
    Binding {
        keys: &[k('x')],
        label: "x",
        action: Action::Cut,
        bar: Some(("x", "cut")),
        help: "cut the link from the selected node to the next",
        command: "cut N N+1",
    },
    Binding {
        keys: &[k('H')],
        label: "H",
        action: Action::Heal,
        bar: Some(("H", "heal")),
        help: "heal every cut link and partition",
        command: "heal",
    },
    Binding {
        keys: &[code(KeyCode::Up), k('k')],
        label: "↑ k",
        action: Action::CursorUp,
        bar: None,
        help: "move the in-flight cursor up",
        command: "",
    },
    Binding {
        keys: &[code(KeyCode::Down), k('j')],
        label: "↓ j",
        action: Action::CursorDown,
        bar: Some(("↑↓", "msg")),
        help: "move the in-flight cursor down",
        command: "",
    },
    Binding {
        keys: &[k('d'), code(KeyCode::Enter)],
        label: "d Enter",
        action: Action::Deliver,
        bar: Some(("d", "deliver")),
        help: "deliver the picked message or timer next",
        command: "deliver ID",
    },
    Binding {
        keys: &[k('D'), code(KeyCode::Delete)],
        label: "D Del",
        action: Action::Drop,
        bar: Some(("D", "drop")),
        help: "drop (lose) the picked message",
        command: "drop ID",
    },
    Binding {
        keys: &[k('b')],
        label: "b",
        action: Action::Back,
        bar: Some(("b", "back")),
        help: "step back: rewind one step",
        command: "back",
    },
    Binding {
        keys: &[k('R')],
        label: "R",
        action: Action::Restart,
        bar: None,
        help: "restart with the same seed (and any script)",
        command: "restart",
    },
    Binding {
        keys: &[k('S')],
        label: "S",
        action: Action::Save,
        bar: None,
        help: "save the trace (distlab-SCENARIO-SEED.trace)",

        command: "save FILE",
    },
    Binding {
        keys: &[k('n')],
        label: "n",
        action: Action::Next,
        bar: None,
        help: "script: run on to the next pause",
        command: "next",
    },
    Binding {
        keys: &[k(':')],
        label: ":",
        action: Action::Prompt,
        bar: Some((":", "cmd")),
        help: "type a command (see below)",
        command: "",
    },
    Binding {
        keys: &[k('?')],
        label: "?",
        action: Action::Help,
        bar: Some(("?", "help")),
        help: "this help",
        command: "help",
    },
    Binding {
        keys: &[k('i')],
        label: "i",
        action: Action::Guide,
        bar: None,
        help: "the scenario's guide: algorithm, verbs, parameters, variants, properties, scripts",
        command: "guide",
    },
    Binding {
        keys: &[k('q'), ctrl('c')],
        label: "q C-c",
        action: Action::Quit,
        bar: Some(("q", "quit")),
        help: "quit",
        command: "quit",
    },
];

/// Keys of the scenario picker.
pub const PICKER_KEYS: &[(&str, &str)] =
    &[("↑↓ j k", "choose"), ("Enter", "open"), ("i", "guide"), ("?", "help"), ("q", "quit")];
/// Keys of the `:` prompt.
pub const PROMPT_KEYS: &[(&str, &str)] =
    &[("Enter", "run"), ("Esc", "cancel"), ("↑↓", "history"), ("←→ Home End", "move"), ("C-u", "clear")];
/// Keys of the help overlay.
pub const HELP_KEYS: &[(&str, &str)] = &[("↑↓ j k PgUp PgDn", "scroll"), ("Esc ? i", "close"), ("q", "quit")];

/// Commands only the TUI prompt knows (not part of the command language).
pub const PROMPT_COMMANDS: &[(&str, &str)] = &[
    ("select N", "select node N"),
    ("back", "step back one step"),
    ("restart", "start over with the same seed"),
    ("save [FILE]", "save the trace (default distlab-SCENARIO-SEED.trace)"),
    ("play | stop", "start or stop playing"),
    ("speed N", "play at about N steps per second"),
    ("next", "script: run on to the next pause"),
    ("help", "open this help"),
    ("guide", "open the scenario's guide (its card)"),
    ("quit", "leave distlab"),
];

/// Does `key` match this key event? Shift is implied by the character;
/// Ctrl and Alt must match exactly.
pub fn matches(key: &Key, ev: &KeyEvent) -> bool {
    let c = ev.modifiers.contains(KeyModifiers::CONTROL);
    if ev.modifiers.contains(KeyModifiers::ALT) || c != key.ctrl {
        return false;
    }
    match (key.code, ev.code) {
        (KeyCode::Char(a), KeyCode::Char(b)) => a == b || (key.ctrl && a.eq_ignore_ascii_case(&b)),
        (a, b) => a == b,
    }
}

/// The action bound to a key event, if any.
pub fn lookup(ev: &KeyEvent) -> Option<Action> {
    KEYMAP.iter().find(|b| b.keys.iter().any(|key| matches(key, ev))).map(|b| b.action)
}

/// The keymap as a Markdown table (the README's "Keys" section is checked
/// against it by a test, so the README cannot drift from the keys either).
pub fn markdown_table() -> String {
    let mut out = String::from("| keys | command | what it does |\n|---|---|---|\n");
    for b in KEYMAP {
        let keys: Vec<String> = b.label.split_whitespace().map(|k| format!("`{k}`")).collect();
        let command = if b.command.is_empty() { String::new() } else { format!("`{}`", b.command.replace('|', "\\|")) };
        out.push_str(&format!("| {} | {} | {} |\n", keys.join(" "), command, b.help.replace('|', "\\|")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let all: Vec<&Key> = KEYMAP.iter().flat_map(|b| b.keys.iter()).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b, "key bound twice");
            }
        }
    }

    #[test]
    fn shifted_letters_and_ctrl() {
        let ev = |c, m| KeyEvent::new(KeyCode::Char(c), m);
        assert_eq!(lookup(&ev('H', KeyModifiers::SHIFT)), Some(Action::Heal));
        assert_eq!(lookup(&ev('h', KeyModifiers::NONE)), Some(Action::PrevNode));
        assert_eq!(lookup(&ev('c', KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(lookup(&ev('c', KeyModifiers::NONE)), Some(Action::Crash));
        assert_eq!(lookup(&ev('z', KeyModifiers::NONE)), None);
        assert_eq!(lookup(&ev('s', KeyModifiers::ALT)), None);
    }
}
