//! The `:` command prompt: a one-line editor with history. Its text is a
//! command of the language (or a TUI prompt command); errors stay on the
//! prompt line so the lecturer can fix the typo.

use super::theme::{self, width};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Longest line the prompt accepts (characters).
pub const MAX_LEN: usize = 1_000;
/// How many submitted lines the history keeps.
pub const HISTORY_KEEP: usize = 100;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prompt {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
    /// The error of the last submit, shown until the text changes.
    pub error: Option<String>,
    /// Position while browsing the history (index into it).
    pub browsing: Option<usize>,
    /// Characters were typed past [`MAX_LEN`] and not kept: the line is
    /// refused as too long until it is cleared (`C-u`), never run cut.
    pub overflow: bool,
}

/// The error of a line typed past [`MAX_LEN`].
pub fn too_long() -> String {
    format!("too long: a command is at most {MAX_LEN} characters (C-u clears the line)")
}

/// What a key did to the prompt.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    None,
    Submit,
    Cancel,
}

impl Prompt {
    fn byte(&self, char_idx: usize) -> usize {
        self.text.char_indices().nth(char_idx).map(|(b, _)| b).unwrap_or(self.text.len())
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn set(&mut self, text: String) {
        self.cursor = text.chars().count();
        self.text = text;
        self.overflow = false;
    }

    /// A prompt showing `text` with the cursor at its end (`S` opens one
    /// prefilled with `save DEFAULT-NAME`).
    pub fn with_text(text: impl Into<String>) -> Prompt {
        let mut p = Prompt::default();
        p.set(text.into());
        p
    }

    /// Apply one key; `history` is oldest first.
    pub fn key(&mut self, key: &KeyEvent, history: &[String]) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let before = self.text.clone();
        match key.code {
            KeyCode::Enter => return Edit::Submit,
            KeyCode::Esc => return Edit::Cancel,
            KeyCode::Char('u') if ctrl => self.set(String::new()),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor.min(chars.len());
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (a, b) = (self.byte(start), self.byte(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
            KeyCode::Char(_) if ctrl || key.modifiers.contains(KeyModifiers::ALT) => {}
            KeyCode::Char(c) if !c.is_control() && self.len() < MAX_LEN => {
                let b = self.byte(self.cursor);
                self.text.insert(b, c);
                self.cursor += 1;
            }
            KeyCode::Char(c) if !c.is_control() => {
                // Past the limit: keep nothing more, and say so now.
                self.overflow = true;
                self.error = Some(too_long());
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let b = self.byte(self.cursor - 1);
                self.text.remove(b);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < self.len() => {
                let b = self.byte(self.cursor);
                self.text.remove(b);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Up if !history.is_empty() => {
                let i = match self.browsing {
                    None => history.len() - 1,
                    Some(i) => i.saturating_sub(1),
                };
                self.browsing = Some(i);
                self.set(history[i].clone());
            }
            KeyCode::Down => match self.browsing {
                Some(i) if i + 1 < history.len() => {
                    self.browsing = Some(i + 1);
                    self.set(history[i + 1].clone());
                }
                Some(_) => {
                    self.browsing = None;
                    self.set(String::new());
                }
                None => {}
            },
            _ => {}
        }
        if self.text.is_empty() {
            self.overflow = false;
        }
        if self.text != before && !self.overflow {
            self.error = None;
        }
        Edit::None
    }

    /// Draw the prompt on one row and place the terminal cursor. `hint` is
    /// the usage of the command being typed, shown dimmed after the text
    /// while there is no error.
    pub fn render(&self, frame: &mut Frame, area: Rect, hint: Option<&str>) {
        if area.is_empty() {
            return;
        }
        let w = area.width as usize;
        let err = self.error.as_deref().map(|e| format!("  ✗ {e}"));
        // The error gets at most two thirds of the row; the text the rest.
        let err_w = err.as_deref().map(|e| width(e).min(w * 2 / 3)).unwrap_or(0);
        let text_w = w.saturating_sub(err_w + 1).max(1);
        // Scroll so the cursor stays visible.
        let chars: Vec<char> = self.text.chars().collect();
        let start = (self.cursor + 1).saturating_sub(text_w);
        let shown: String = chars.iter().skip(start).take(text_w).collect();
        let mut spans = vec![
            Span::styled(":", Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)),
            Span::raw(shown.clone()),
        ];
        let pad = (text_w + 1).saturating_sub(1 + width(&shown));
        if let Some(e) = err {
            spans.push(Span::raw(" ".repeat(pad)));
            // Cut with a visible `…`; `?` lists every command in full.
            spans.push(Span::styled(
                theme::clip(&e, err_w),
                Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD),
            ));
        } else if let Some(hint) = hint {
            let room = w.saturating_sub(1 + width(&shown) + 3);
            if room >= 8 {
                spans.push(Span::styled(format!("   {}", theme::clip(hint, room)), Style::new().fg(theme::get().dim)));
            }
        }
        frame.render_widget(Line::from(spans), area);
        let before: String = chars.iter().skip(start).take(self.cursor - start).collect();
        let x = area.x.saturating_add(1).saturating_add(width(&before) as u16);
        if x < area.right() {
            frame.set_cursor_position((x, area.y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn a_long_error_is_cut_with_an_ellipsis() {
        let p = Prompt { error: Some("unknown command; ".repeat(10)), ..Prompt::with_text("bogus 3") };
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 1)).unwrap();
        term.draw(|f| p.render(f, f.area(), None)).unwrap();
        let row: String = term.backend().buffer().content().iter().map(|c| c.symbol()).collect();
        assert!(row.starts_with(":bogus 3"), "{row}");
        assert!(row.trim_end().ends_with('…'), "{row}");
        assert!(row.contains("✗ unknown command"), "{row}");
    }

    #[test]
    fn the_hint_follows_the_text_until_an_error_replaces_it() {
        let mut p = Prompt::with_text("request");
        let row = |p: &Prompt| {
            let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(60, 1)).unwrap();
            term.draw(|f| p.render(f, f.area(), Some("request N — node N asks"))).unwrap();
            term.backend().buffer().content().iter().map(|c| c.symbol()).collect::<String>()
        };
        assert_eq!(row(&p).trim_end(), ":request   request N — node N asks");
        p.error = Some("usage: request N".into());
        assert!(!row(&p).contains("node N asks"), "{}", row(&p));
    }

    #[test]
    fn editing_and_history() {
        let mut p = Prompt::default();
        for c in "crash 3".chars() {
            p.key(&key(KeyCode::Char(c)), &[]);
        }
        assert_eq!(p.text, "crash 3");
        p.key(&key(KeyCode::Left), &[]);
        p.key(&key(KeyCode::Backspace), &[]);
        assert_eq!(p.text, "crash3");
        p.key(&key(KeyCode::Home), &[]);
        p.key(&key(KeyCode::Delete), &[]);
        assert_eq!(p.text, "rash3");
        let hist = vec!["step".to_string(), "heal".to_string()];
        p.key(&key(KeyCode::Up), &hist);
        assert_eq!(p.text, "heal");
        p.key(&key(KeyCode::Up), &hist);
        assert_eq!(p.text, "step");
        p.key(&key(KeyCode::Down), &hist);
        p.key(&key(KeyCode::Down), &hist);
        assert_eq!(p.text, "");
        assert_eq!(p.key(&key(KeyCode::Enter), &hist), Edit::Submit);
        p.set("a é b".into());
        p.key(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL), &hist);
        assert_eq!(p.text, "a é ");
    }

    #[test]
    fn typing_past_the_limit_marks_the_line_too_long_until_cleared() {
        let mut p = Prompt::with_text("say \"");
        for _ in 0..MAX_LEN + 10 {
            p.key(&key(KeyCode::Char('a')), &[]);
        }
        assert_eq!(p.text.chars().count(), MAX_LEN);
        assert!(p.overflow);
        assert_eq!(p.error.as_deref(), Some(too_long().as_str()));
        // Deleting a character does not make the cut line whole again.
        p.key(&key(KeyCode::Backspace), &[]);
        assert!(p.overflow && p.error.is_some());
        p.key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL), &[]);
        assert!(!p.overflow && p.error.is_none() && p.text.is_empty());
    }
}
