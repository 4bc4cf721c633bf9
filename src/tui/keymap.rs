//! The one keymap table, for every mode: the picker, a run, the help and
//! guide overlays and the `:` prompt. The key bar, the help overlay, the
//! README's key table and the key dispatcher are all generated from it, so
//! help cannot drift from keys. Each binding names the command it runs (the
//! text help and the status line show); whether it can run now is asked of
//! the app, and the key bar greys out what cannot.

use super::spacetime::Move;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The scenario picker.
    Picker,
    /// A scenario is open.
    Run,
    /// The help or guide overlay.
    Overlay,
    /// The `:` prompt (its editing keys go to the line editor).
    Prompt,
    /// A question in the status line (`quit?`, `restart?`, `overwrite?`)
    /// waits for one key: `y` does it, any other key cancels.
    Confirm,
}

impl Mode {
    pub fn title(self) -> &'static str {
        match self {
            Mode::Picker => "In the picker",
            Mode::Run => "In a run",
            Mode::Overlay => "In help and the guide",
            Mode::Prompt => "In the prompt",
            Mode::Confirm => "When asked",
        }
    }
}

/// Every mode, in the order help and the README list them.
pub const MODES: [Mode; 5] = [Mode::Run, Mode::Picker, Mode::Overlay, Mode::Prompt, Mode::Confirm];

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
    BackPause,
    Restart,
    Save,
    Screenshot,
    Prompt,
    Help,
    Guide,
    Theme,
    FullScreen,
    Next,
    NarrationUp,
    NarrationDown,
    LogOlder,
    LogNewer,
    InspectorUp,
    InspectorDown,
    Why,
    ToPicker,
    /// Pan, zoom or follow the space-time diagram.
    Diagram(super::spacetime::Move),
    Jump,
    Quit,
    // The picker.
    PickUp,
    PickDown,
    PickFirst,
    PickLast,
    PickLecturePrev,
    PickLectureNext,
    PickMoreNodes,
    PickFewerNodes,
    PickVariant,
    Open,
    // The overlays.
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Close,
    // The prompt.
    Submit,
    Cancel,
    // A question.
    Confirm,
    /// A key the prompt's line editor handles (listed for help).
    Edit,
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
    /// The modes it works in.
    pub modes: &'static [Mode],
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

const RUN: &[Mode] = &[Mode::Run];
const PICKER: &[Mode] = &[Mode::Picker];
const OVERLAY: &[Mode] = &[Mode::Overlay];
const PROMPT: &[Mode] = &[Mode::Prompt];
const CONFIRM: &[Mode] = &[Mode::Confirm];

pub const KEYMAP: &[Binding] = &[
    Binding {
        modes: RUN,
        keys: &[k(' '), k('s')],
        label: "space s",
        action: Action::Step,
        bar: Some(("␣", "step")),
        help: "deliver the next event",
        command: "step",
    },
    Binding {
        modes: RUN,
        keys: &[k('p')],
        label: "p",
        action: Action::PlayPause,
        bar: Some(("p", "play")),
        help: "play / stop at the current speed",
        command: "play | stop",
    },
    Binding {
        modes: RUN,
        keys: &[k('+'), k('=')],
        label: "+",
        action: Action::Faster,
        bar: None,
        help: "play faster",
        command: "speed N",
    },
    Binding {
        modes: RUN,
        keys: &[k('-'), k('_')],
        label: "-",
        action: Action::Slower,
        bar: None,
        help: "play slower",
        command: "speed N",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::Left), k('h'), code(KeyCode::BackTab)],
        label: "← h S-Tab",
        action: Action::PrevNode,
        bar: None,
        help: "select the previous node (or click it)",
        command: "select N",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::Right), k('l'), code(KeyCode::Tab)],
        label: "→ l Tab",
        action: Action::NextNode,
        bar: Some(("←→", "node")),
        help: "select the next node (or click it)",
        command: "select N",
    },
    Binding {
        modes: RUN,
        keys: &[k('r')],
        label: "r",
        action: Action::NodeAction,
        bar: Some(("r", ACTION_WORD)),
        help: "the scenario's action on the selected node",
        command: "VERB N",
    },
    Binding {
        modes: RUN,
        keys: &[k('c')],
        label: "c",
        action: Action::Crash,
        bar: Some(("c", "crash")),
        help: "crash the selected node",
        command: "crash N",
    },
    Binding {
        modes: RUN,
        keys: &[k('v')],
        label: "v",
        action: Action::Recover,
        bar: Some(("v", "recover")),
        help: "recover the selected node",
        command: "recover N",
    },
    Binding {
        modes: RUN,
        keys: &[k('x')],
        label: "x",
        action: Action::Cut,
        bar: Some(("x", "cut")),
        help: "cut the link from the selected node to the next (a cut one: heal it)",
        command: "cut N N+1",
    },
    Binding {
        modes: RUN,
        keys: &[k('H')],
        label: "H",
        action: Action::Heal,
        bar: Some(("H", "heal")),
        help: "heal every cut link and partition",
        command: "heal",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::Up), k('k')],
        label: "↑ k",
        action: Action::CursorUp,
        bar: None,
        help: "move the in-flight cursor up",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::Down), k('j')],
        label: "↓ j",
        action: Action::CursorDown,
        bar: Some(("↑↓", "msg")),
        help: "move the in-flight cursor down",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('d'), code(KeyCode::Enter)],
        label: "d Enter",
        action: Action::Deliver,
        bar: Some(("d", "deliver")),
        help: "deliver the picked message or timer next",
        command: "deliver ID",
    },
    Binding {
        modes: RUN,
        keys: &[k('D'), code(KeyCode::Delete)],
        label: "D Del",
        action: Action::Drop,
        bar: Some(("D", "drop")),
        help: "drop (lose) the picked message",
        command: "drop ID",
    },
    Binding {
        modes: RUN,
        keys: &[k('b')],
        label: "b",
        action: Action::Back,
        bar: Some(("b", "back")),
        help: "step back: rewind one step",
        command: "back",
    },
    Binding {
        modes: RUN,
        keys: &[k('R')],
        label: "R",
        action: Action::Restart,
        bar: None,
        help: "restart with the same seed (and any script), if you confirm",
        command: "restart",
    },
    Binding {
        modes: RUN,
        keys: &[k('S')],
        label: "S",
        action: Action::Save,
        bar: None,
        help: "save the trace; asks for a name (distlab-SCENARIO-SEED-STEP.trace)",
        command: "save FILE",
    },
    Binding {
        modes: RUN,
        keys: &[k('P')],
        label: "P",
        action: Action::Screenshot,
        bar: None,
        help: "the screen as an SVG picture for slides",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('n')],
        label: "n",
        action: Action::Next,
        bar: None,
        help: "script: run on to the next pause",
        command: "next",
    },
    Binding {
        modes: RUN,
        keys: &[k('B')],
        label: "B",
        action: Action::BackPause,
        bar: None,
        help: "script: back to the previous pause (show a section again)",
        command: "back pause",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::PageUp)],
        label: "PgUp",
        action: Action::NarrationUp,
        bar: None,
        help: "script: scroll the narration back",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::PageDown)],
        label: "PgDn",
        action: Action::NarrationDown,
        bar: None,
        help: "script: read the rest of a long narration (▼ more)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('[')],
        label: "[",
        action: Action::LogOlder,
        bar: None,
        help: "log: older lines (or the wheel)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k(']')],
        label: "]",
        action: Action::LogNewer,
        bar: None,
        help: "log: newer lines; at the end it follows",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('{')],
        label: "{",
        action: Action::InspectorUp,
        bar: None,
        help: "inspector: scroll up (or the wheel)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('}')],
        label: "}",
        action: Action::InspectorDown,
        bar: None,
        help: "inspector: scroll down (▼ N more)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k(':')],
        label: ":",
        action: Action::Prompt,
        bar: Some((":", "cmd")),
        help: "type a command (see below)",
        command: "",
    },
    Binding {
        modes: &[Mode::Run, Mode::Picker],
        keys: &[k('?')],
        label: "?",
        action: Action::Help,
        bar: Some(("?", "help")),
        help: "this help",
        command: "help",
    },
    Binding {
        modes: &[Mode::Run, Mode::Picker],
        keys: &[k('i')],
        label: "i",
        action: Action::Guide,
        bar: Some(("i", "guide")),
        help: "the scenario's guide: algorithm, verbs, parameters, variants, properties, scripts",
        command: "guide",
    },
    Binding {
        modes: &[Mode::Run, Mode::Picker],
        keys: &[k('T')],
        label: "T",
        action: Action::Theme,
        bar: None,
        help: "next theme: dark, light, high-contrast, mono",
        command: "theme",
    },
    Binding {
        modes: RUN,
        keys: &[k('f')],
        label: "f",
        action: Action::FullScreen,
        bar: None,
        help: "full screen: diagram, topology, inspector, normal",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('w')],
        label: "w",
        action: Action::Why,
        bar: None,
        help: "every violation and status in full: why the badge is red or yellow (or click it)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k(',')],
        label: ",",
        action: Action::Diagram(Move::Earlier),
        bar: None,
        help: "space-time: pan earlier (or the wheel)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('.')],
        label: ".",
        action: Action::Diagram(Move::Later),
        bar: None,
        help: "space-time: pan later",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('z')],
        label: "z",
        action: Action::Diagram(Move::ZoomIn),
        bar: None,
        help: "space-time: zoom in (more columns a step)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[k('Z')],
        label: "Z",
        action: Action::Diagram(Move::ZoomOut),
        bar: None,
        help: "space-time: zoom out (more steps a column)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::End)],
        label: "End",
        action: Action::Diagram(Move::Follow),
        bar: None,
        help: "space-time: follow the present (click an event: its details)",
        command: "",
    },
    Binding {
        modes: RUN,
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        action: Action::ToPicker,
        bar: None,
        help: "an event's details: back to its node; else the picker (asks first)",
        command: "",
    },
    Binding {
        modes: &[Mode::Run, Mode::Picker],
        keys: &[k('q'), ctrl('c')],
        label: "q C-c",
        action: Action::Quit,
        bar: Some(("q", "quit")),
        help: "quit (asks first if the run has inputs)",
        command: "quit",
    },
    // ----- the picker -----
    Binding {
        modes: PICKER,
        keys: &[code(KeyCode::Up), k('k'), code(KeyCode::BackTab)],
        label: "↑ k",
        action: Action::PickUp,
        bar: None,
        help: "highlight the scenario above",
        command: "",
    },
    Binding {
        modes: PICKER,
        keys: &[code(KeyCode::Down), k('j'), code(KeyCode::Tab)],
        label: "↓ j",
        action: Action::PickDown,
        bar: Some(("↑↓", "choose")),
        help: "highlight the scenario below",
        command: "",
    },
    Binding {
        modes: PICKER,
        keys: &[code(KeyCode::Home), k('g')],
        label: "Home g",
        action: Action::PickFirst,
        bar: None,
        help: "highlight the first scenario",
        command: "",
    },
    Binding {
        modes: PICKER,
        keys: &[code(KeyCode::End), k('G')],
        label: "End G",
        action: Action::PickLast,
        bar: None,
        help: "highlight the last scenario",
        command: "",
    },
    Binding {
        modes: PICKER,
        keys: &[code(KeyCode::Enter), k(' ')],
        label: "Enter",
        action: Action::Open,
        bar: Some(("Enter", "open")),
        help: "open what is chosen: a run (its nodes and variant, seed 1) or a lecture",
        command: "run NAME",
    },
    Binding {
        modes: PICKER,
        keys: &[code(KeyCode::Left), k('h')],
        label: "← h",
        action: Action::PickLecturePrev,
        bar: None,
        help: "Enter opens the previous choice: a run, or a lecture script",
        command: "",
    },
    Binding {
        modes: PICKER,
        keys: &[code(KeyCode::Right), k('l')],
        label: "→ l",
        action: Action::PickLectureNext,
        bar: Some(("←→", "run/lecture")),
        help: "Enter opens the next choice: a run, or a lecture script",
        command: "--lecture NAME",
    },
    Binding {
        modes: PICKER,
        keys: &[k('+'), k('=')],
        label: "+",
        action: Action::PickMoreNodes,
        bar: Some(("+-", "nodes")),
        help: "one node more for the run",
        command: "--nodes N",
    },
    Binding {
        modes: PICKER,
        keys: &[k('-'), k('_')],
        label: "-",
        action: Action::PickFewerNodes,
        bar: None,
        help: "one node fewer for the run",
        command: "--nodes N",
    },
    Binding {
        modes: PICKER,
        keys: &[k('v')],
        label: "v",
        action: Action::PickVariant,
        bar: Some(("v", "variant")),
        help: "the run's next variant (the broken ones, then correct)",
        command: "-p variant=NAME",
    },
    // ----- help and the guide -----
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::Up), k('k')],
        label: "↑ k",
        action: Action::ScrollUp,
        bar: None,
        help: "scroll up a line",
        command: "",
    },
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::Down), k('j')],
        label: "↓ j",
        action: Action::ScrollDown,
        bar: Some(("↑↓", "scroll")),
        help: "scroll down a line",
        command: "",
    },
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::PageUp)],
        label: "PgUp",
        action: Action::PageUp,
        bar: None,
        help: "scroll up a page",
        command: "",
    },
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::PageDown), k(' ')],
        label: "PgDn space",
        action: Action::PageDown,
        bar: Some(("PgDn", "page")),
        help: "scroll down a page",
        command: "",
    },
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::Home), k('g')],
        label: "Home g",
        action: Action::Top,
        bar: None,
        help: "go to the top",
        command: "",
    },
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::End), k('G')],
        label: "End G",
        action: Action::Bottom,
        bar: None,
        help: "go to the end",
        command: "",
    },
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::Esc), k('q'), k('?'), k('i')],
        label: "Esc q ? i",
        action: Action::Close,
        bar: Some(("Esc", "close")),
        help: "close the overlay",
        command: "",
    },
    Binding {
        modes: OVERLAY,
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Jump,
        bar: None,
        help: "in the violations list: go back to the chosen violation's step",
        command: "",
    },
    // ----- the prompt -----
    Binding {
        modes: PROMPT,
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Submit,
        bar: Some(("Enter", "run")),
        help: "run the command (an error stays on the line to fix)",
        command: "",
    },
    Binding {
        modes: PROMPT,
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        action: Action::Cancel,
        bar: Some(("Esc", "cancel")),
        help: "close the prompt",
        command: "",
    },
    Binding {
        modes: PROMPT,
        keys: &[code(KeyCode::Up), code(KeyCode::Down)],
        label: "↑ ↓",
        action: Action::Edit,
        bar: Some(("↑↓", "history")),
        help: "earlier and later commands",
        command: "",
    },
    Binding {
        modes: PROMPT,
        keys: &[code(KeyCode::Left), code(KeyCode::Right), code(KeyCode::Home), code(KeyCode::End)],
        label: "← → Home End",
        action: Action::Edit,
        bar: Some(("←→", "move")),
        help: "move the cursor (also C-a, C-e)",
        command: "",
    },
    Binding {
        modes: PROMPT,
        keys: &[ctrl('u'), ctrl('w')],
        label: "C-u C-w",
        action: Action::Edit,
        bar: Some(("C-u", "clear")),
        help: "clear the line / delete the word before the cursor",
        command: "",
    },
    // ----- a question -----
    Binding {
        modes: CONFIRM,
        keys: &[k('y'), k('Y')],
        label: "y",
        action: Action::Confirm,
        bar: Some(("y", "yes")),
        help: "yes: do what the status line asks",
        command: "",
    },
    Binding {
        modes: CONFIRM,
        keys: &[code(KeyCode::Esc)],
        label: "other",
        action: Action::Cancel,
        bar: Some(("other", "no")),
        help: "no (any other key): nothing changes",
        command: "",
    },
];

/// Commands only the TUI prompt knows (not part of the command language).
pub const PROMPT_COMMANDS: &[(&str, &str)] = &[
    ("select N", "select node N"),
    ("back", "step back one step"),
    ("restart", "start over with the same seed"),
    ("save [FILE]", "save the trace (default distlab-SCENARIO-SEED-STEP.trace); asks before overwriting"),
    ("open FILE", "replay a saved trace in place of this run (asks first if it has inputs)"),
    ("play | stop", "start or stop playing"),
    ("speed N", "play at about N steps per second"),
    ("next", "script: run on to the next pause"),
    ("back pause", "script: back to the previous pause"),
    ("halt on|off", "play stops at a new violation (on), or runs past it"),
    ("check [DEPTH]", "search every delivery order from here for a violation (Esc cancels)"),
    ("help [VERB]", "open this help, or show one command's usage"),
    ("guide", "open the scenario's guide (its card)"),
    ("theme [NAME]", "colours: dark, light, high-contrast or mono (no name: the next one)"),
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

/// The bindings of one mode, in table order.
pub fn bindings(mode: Mode) -> impl Iterator<Item = &'static Binding> {
    KEYMAP.iter().filter(move |b| b.modes.contains(&mode))
}

/// The bindings of one mode as help and the key bar list them: the mode's
/// own keys first, then those every mode shares (help, guide, quit).
pub fn listed(mode: Mode) -> Vec<&'static Binding> {
    let (own, shared): (Vec<&Binding>, Vec<&Binding>) = bindings(mode).partition(|b| b.modes.len() == 1);
    own.into_iter().chain(shared).collect()
}

/// How help writes the key of the scenario's action on the selected node.
pub fn action_key() -> &'static str {
    KEYMAP.iter().find(|b| b.action == Action::NodeAction).map_or("r", |b| b.label)
}

/// The action bound to a key event in `mode`, if any.
pub fn lookup(mode: Mode, ev: &KeyEvent) -> Option<Action> {
    bindings(mode).find(|b| b.keys.iter().any(|key| matches(key, ev))).map(|b| b.action)
}

/// The keymap as a Markdown table (the README's "Keys" section is checked
/// against it by a test, so the README cannot drift from the keys either).
pub fn markdown_table() -> String {
    let mut out = String::from("| where | keys | command | what it does |\n|---|---|---|---|\n");
    let mut done: Vec<*const Binding> = Vec::new();
    // The keys of a run and of the picker; those of the help, the prompt
    // and a question are the usual ones, and `?` lists them.
    for mode in [Mode::Run, Mode::Picker] {
        for b in bindings(mode) {
            // A binding of several modes is one row, where its first is.
            if done.contains(&(b as *const Binding)) {
                continue;
            }
            done.push(b);
            let title: Vec<&str> =
                MODES.iter().filter(|m| b.modes.contains(m)).map(|m| m.title().trim_start_matches("In ")).collect();
            let keys: Vec<String> = b.label.split_whitespace().map(|k| format!("`{k}`")).collect();
            let command =
                if b.command.is_empty() { String::new() } else { format!("`{}`", b.command.replace('|', "\\|")) };
            let help = b.help.replace('|', "\\|");
            out.push_str(&format!("| {} | {} | {command} | {help} |\n", title.join(", "), keys.join(" ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_mode() {
        for mode in MODES {
            let all: Vec<&Key> = bindings(mode).flat_map(|b| b.keys.iter()).collect();
            for (i, a) in all.iter().enumerate() {
                for b in &all[i + 1..] {
                    assert_ne!(a, b, "key bound twice in {mode:?}");
                }
            }
        }
    }

    #[test]
    fn every_mode_can_be_left() {
        let ev = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(lookup(Mode::Overlay, &ev(KeyCode::Esc)), Some(Action::Close));
        assert_eq!(lookup(Mode::Prompt, &ev(KeyCode::Esc)), Some(Action::Cancel));
        assert_eq!(lookup(Mode::Picker, &ev(KeyCode::Char('q'))), Some(Action::Quit));
        assert_eq!(lookup(Mode::Prompt, &ev(KeyCode::Char('q'))), None, "q is text in the prompt");
        assert_eq!(lookup(Mode::Overlay, &ev(KeyCode::Char('q'))), Some(Action::Close), "q closes help");
        assert_eq!(lookup(Mode::Confirm, &ev(KeyCode::Char('y'))), Some(Action::Confirm));
        assert_eq!(lookup(Mode::Confirm, &ev(KeyCode::Char('q'))), None, "q does not answer a question");
    }

    #[test]
    fn shifted_letters_and_ctrl() {
        let ev = |c, m| KeyEvent::new(KeyCode::Char(c), m);
        let run = |e| lookup(Mode::Run, &e);
        assert_eq!(run(ev('H', KeyModifiers::SHIFT)), Some(Action::Heal));
        assert_eq!(run(ev('h', KeyModifiers::NONE)), Some(Action::PrevNode));
        assert_eq!(run(ev('c', KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(run(ev('c', KeyModifiers::NONE)), Some(Action::Crash));
        assert_eq!(run(ev('z', KeyModifiers::NONE)), Some(Action::Diagram(Move::ZoomIn)));
        assert_eq!(run(ev('s', KeyModifiers::ALT)), None);
    }
}
