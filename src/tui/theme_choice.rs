//! Which theme a session starts with: `--theme NAME`, else the
//! `DISTLAB_THEME` variable, else `NO_COLOR` (mono), else the config
//! file's `theme = "NAME"`, else dark. The config file is
//! `$DISTLAB_CONFIG`, else `$XDG_CONFIG_HOME/distlab/config.toml`, else
//! `~/.config/distlab/config.toml`; a missing file is no error.

use super::theme::Theme;
use std::path::PathBuf;

/// The theme for this session, from the flag, the environment and the
/// config file; a bad name or a bad config file is a one-line error.
pub fn choose(flag: Option<&str>) -> Result<&'static Theme, String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let config = config_path().and_then(|p| match std::fs::read_to_string(&p) {
        Ok(text) => Some(Ok((p, text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(format!("cannot read {}: {e}", p.display()))),
    });
    let config = config.transpose()?;
    resolve(
        flag,
        var("DISTLAB_THEME").as_deref(),
        var("NO_COLOR").is_some(),
        config.as_ref().map(|(p, t)| (p.display().to_string(), t.as_str())),
    )
}

fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DISTLAB_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("distlab").join("config.toml"))
}

/// The choice itself, from what `choose` gathered: the flag, the
/// `DISTLAB_THEME` variable, whether `NO_COLOR` is set, and the config
/// file (its name and text).
pub fn resolve(
    flag: Option<&str>,
    env: Option<&str>,
    no_color: bool,
    config: Option<(String, &str)>,
) -> Result<&'static Theme, String> {
    let named = |name: &str, from: &str| {
        Theme::by_name(name)
            .ok_or_else(|| format!("unknown theme `{name}` ({from}); the themes are {}", Theme::names()))
    };
    if let Some(name) = flag {
        return named(name, "--theme");
    }
    if let Some(name) = env {
        return named(name, "DISTLAB_THEME");
    }
    // The file is checked even when NO_COLOR wins, so a typo in it is
    // never silent.
    let from_file = match &config {
        Some((path, text)) => config_theme(text)
            .map_err(|e| format!("{path} {e}"))?
            .map(|(line, name)| named(&name, &format!("{path} line {line}"))),
        None => None,
    };
    let from_file = from_file.transpose()?;
    if no_color {
        return Ok(&super::theme::MONO);
    }
    Ok(from_file.unwrap_or(&super::theme::DARK))
}

/// The `theme` entry of a config file, with its line number: the file
/// holds `key = value` lines (value optionally in double quotes) and `#`
/// comments; `theme` is the one key.
fn config_theme(text: &str) -> Result<Option<(usize, String)>, String> {
    let mut found = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {}: expected `key = value`, found `{line}`", i + 1));
        };
        let (key, value) = (key.trim(), value.trim());
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        match key {
            "theme" => found = Some((i + 1, value.to_string())),
            _ => return Err(format!("line {}: unknown key `{key}` (the one key is `theme`)", i + 1)),
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(r: Result<&'static Theme, String>) -> String {
        r.map_or_else(|e| e, |t| t.name.to_string())
    }

    #[test]
    fn flag_then_env_then_no_color_then_file() {
        let file = Some(("cfg".to_string(), "# mine\ntheme = \"light\"\n"));
        assert_eq!(name(resolve(Some("high-contrast"), Some("light"), true, file.clone())), "high-contrast");
        assert_eq!(name(resolve(None, Some("mono"), false, file.clone())), "mono");
        assert_eq!(name(resolve(None, None, true, file.clone())), "mono");
        assert_eq!(name(resolve(None, None, false, file)), "light");
        assert_eq!(name(resolve(None, None, false, None)), "dark");
    }

    #[test]
    fn bad_names_and_files_say_where() {
        assert_eq!(
            name(resolve(Some("sepia"), None, false, None)),
            "unknown theme `sepia` (--theme); the themes are dark|light|high-contrast|mono"
        );
        let bad = Some(("cfg".to_string(), "colour = dark"));
        assert_eq!(name(resolve(None, None, false, bad)), "cfg line 1: unknown key `colour` (the one key is `theme`)");
        let typo = Some(("cfg".to_string(), "\ntheme = lite"));
        assert!(name(resolve(None, None, true, typo)).starts_with("unknown theme `lite` (cfg line 2)"));
        let junk = Some(("cfg".to_string(), "theme"));
        assert_eq!(name(resolve(None, None, false, junk)), "cfg line 1: expected `key = value`, found `theme`");
    }
}
