//! Themes through the real binary in a pseudo-terminal: `--theme`, the
//! `DISTLAB_THEME` variable, the config file and `NO_COLOR` choose the
//! colours the terminal is actually sent; `T` switches them live; a bad
//! theme anywhere is one line and exit 2, before the terminal is taken.

#[path = "common/pty.rs"]
mod pty;

use pty::Session;

const COLS: u16 = 80;
const ROWS: u16 = 24;

/// The background colour of an empty cell in the middle of the topology
/// pane (row 5, column 2), as the terminal has it.
fn bg(s: &Session) -> vt100::Color {
    let parser = s.t.parser.lock().unwrap();
    parser.screen().cell(5, 2).expect("the cell exists").bgcolor()
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Session {
    let s = Session::start_with(args, COLS, ROWS, env);
    s.t.wait_text("space steps");
    s
}

const WHITE: vt100::Color = vt100::Color::Rgb(255, 255, 255);
const BLACK: vt100::Color = vt100::Color::Rgb(0, 0, 0);
const DARK: vt100::Color = vt100::Color::Rgb(0x12, 0x12, 0x12);

#[test]
fn the_flag_picks_the_theme_and_t_cycles_it() {
    let mut s = run(&["--theme", "light", "run", "ricart-agrawala"], &[]);
    assert_eq!(bg(&s), WHITE, "light paints a white background");
    s.t.send("T");
    s.t.wait_text("theme high-contrast");
    s.t.wait("the black background", |_| bg(&s) == BLACK);
    s.t.send("T");
    s.t.wait_text("theme mono");
    s.t.wait("the terminal's own background", |_| bg(&s) == vt100::Color::Default);
    s.t.send("T");
    s.t.wait_text("theme dark");
    s.t.wait("the dark background", |_| bg(&s) == DARK);
    s.t.send(":theme light\r");
    s.t.wait("light again", |_| bg(&s) == WHITE);
    s.quit();
}

#[test]
fn the_environment_and_the_config_file_set_the_default() {
    let s = run(&["run", "ricart-agrawala"], &[]);
    assert_eq!(bg(&s), DARK, "dark by default");
    s.quit();
    let s = run(&["run", "ricart-agrawala"], &[("DISTLAB_THEME", "high-contrast")]);
    assert_eq!(bg(&s), BLACK);
    s.quit();

    let dir = std::env::temp_dir().join(format!("distlab-theme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, "# distlab\ntheme = \"light\"\n").unwrap();
    let cfg = cfg.to_string_lossy().into_owned();
    let s = run(&["run", "ricart-agrawala"], &[("DISTLAB_CONFIG", &cfg)]);
    assert_eq!(bg(&s), WHITE, "the config file's theme");
    s.quit();
    // NO_COLOR beats the file; the flag beats NO_COLOR.
    let s = run(&["run", "ricart-agrawala"], &[("DISTLAB_CONFIG", &cfg), ("NO_COLOR", "1")]);
    assert_eq!(bg(&s), vt100::Color::Default);
    s.quit();
    let s = run(&["--theme", "dark", "run", "ricart-agrawala"], &[("NO_COLOR", "1")]);
    assert_eq!(bg(&s), DARK);
    s.quit();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn no_color_sends_no_colour_at_all() {
    let mut s = run(&["run", "ricart-agrawala"], &[("NO_COLOR", "1")]);
    s.t.send("r  ");
    s.t.wait("a request and two steps", |_| s.t.step() == Some(3));
    let colours = colour_codes(&s.t.raw());
    assert!(colours.is_empty(), "colour escapes were sent under NO_COLOR: {colours:?}");
    s.quit_confirmed();
}

/// Every SGR parameter in `raw` that sets a colour (30–38, 40–48,
/// 90–97, 100–107; 39 and 49, the terminal's own colours, are fine).
fn colour_codes(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in raw.split("\x1b[").skip(1) {
        let Some(end) = part.find(|c: char| !(c.is_ascii_digit() || c == ';')) else { continue };
        if !part[end..].starts_with('m') {
            continue;
        }
        for p in part[..end].split(';').filter_map(|p| p.parse::<u32>().ok()) {
            if matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107) {
                out.push(part[..end].to_string());
            }
        }
    }
    out
}

#[test]
fn colour_codes_are_found() {
    assert_eq!(colour_codes("\x1b[1;7mX\x1b[39;49m\x1b[0m"), Vec::<String>::new());
    assert_eq!(colour_codes("a\x1b[38;2;1;2;3mb\x1b[41mc"), ["38;2;1;2;3", "41"]);
}

#[test]
fn a_bad_theme_is_one_line_and_exit_2() {
    for (args, env, want) in [
        (&["--theme", "sepia", "run", "chat"][..], &[][..], "unknown theme `sepia` (--theme)"),
        (&["run", "chat"][..], &[("DISTLAB_THEME", "lite")][..], "unknown theme `lite` (DISTLAB_THEME)"),
    ] {
        let s = Session::start_with(args, COLS, ROWS, env);
        let exit = s.exit();
        assert_eq!(exit.code, 2, "{args:?}");
        assert!(!exit.alternate_screen, "the terminal was never taken");
        let first = exit.output.lines().next().unwrap_or_default().to_string();
        assert!(
            first.starts_with(&format!("distlab: {want}; the themes are dark|light|high-contrast|mono")),
            "{first}"
        );
    }
}
