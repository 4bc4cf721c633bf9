//! The `:` prompt's commands: a TUI command (`select`, `back`, `save`,
//! `help VERB`, …) or a line of the command language, run against the app.
//! An error changes nothing and stays on the prompt line.

use super::app::{App, NOTHING_IN_FLIGHT, SPEEDS, Status};
use super::keymap;
use super::prompt;
use crate::engine::input::Input;
use crate::engine::protocol::NodeId;
use crate::script;

impl App {
    pub(super) async fn submit_prompt(&mut self) {
        let Some(p) = self.prompt.as_mut() else { return };
        if p.overflow {
            // Never run a line cut at the limit.
            p.error = Some(prompt::too_long());
            return;
        }
        let line = p.text.trim().to_string();
        if line.is_empty() {
            self.prompt = None;
            return;
        }
        if self.prompt_history.last() != Some(&line) {
            self.prompt_history.push(line.clone());
            if self.prompt_history.len() > prompt::HISTORY_KEEP {
                self.prompt_history.remove(0);
            }
        }
        match self.exec(&line).await {
            Ok(()) => self.prompt = None,
            Err(e) => {
                if let Some(p) = self.prompt.as_mut() {
                    p.error = Some(e);
                    p.browsing = None;
                }
            }
        }
    }

    /// Run one prompt line: a TUI prompt command or a command of the
    /// language. An error changes nothing.
    pub async fn exec(&mut self, line: &str) -> Result<(), String> {
        let result = self.exec_line(line).await;
        self.refresh().await;
        result
    }

    async fn exec_line(&mut self, line: &str) -> Result<(), String> {
        let words = script::tokenize(line)?;
        let Some(sc) = self.scenario.as_deref() else { return Err("no scenario is open".into()) };
        let arg = |i: usize| words.get(i).map(String::as_str);
        let usage = |u: &str| format!("usage: {u}");
        match (arg(0), words.len()) {
            (None, _) => Ok(()),
            (Some("select"), 2) => {
                let n = sc.n();
                let node: NodeId = arg(1)
                    .and_then(|a| a.parse().ok())
                    .filter(|&x| x < n)
                    .ok_or_else(|| format!("select N: N is a node number 0..{}", n - 1))?;
                self.select(node).await;
                Ok(())
            }
            (Some("select"), _) => Err(usage("select N")),
            (Some("back"), 1) => self.back().await,
            (Some("back"), 2) if arg(1) == Some("pause") => self.back_to_pause().await,
            (Some("restart"), 1) => {
                self.request_restart();
                Ok(())
            }
            (Some("open"), 2) => self.open_trace(arg(1).unwrap_or_default()).await,
            (Some("save"), 1 | 2) => self.save(arg(1)),
            (Some("play"), 1) => {
                self.set_playing(true);
                Ok(())
            }
            (Some("stop"), 1) => {
                self.set_playing(false);
                Ok(())
            }
            (Some("speed"), 2) => {
                let want: u32 =
                    arg(1).and_then(|a| a.parse().ok()).ok_or_else(|| usage("speed N (steps per second)"))?;
                self.speed = SPEEDS.iter().position(|&s| s >= want).unwrap_or(SPEEDS.len() - 1);
                self.status = Some(Status::command(format!("speed {}", self.steps_per_second())));
                Ok(())
            }
            (Some("next"), 1) => self.next().await,
            (Some("check"), _) => self.start_check(line).await,
            (Some("halt"), 2) if matches!(arg(1), Some("on" | "off")) => {
                self.halt = arg(1) == Some("on");
                let what = if self.halt { "play stops at a new violation" } else { "play runs past violations" };
                self.status = Some(Status::command(format!("halt {} ({what})", arg(1).unwrap_or_default())));
                Ok(())
            }
            (Some("help"), 1) => {
                self.open_help();
                Ok(())
            }
            (Some("help"), 2) => {
                let verb = arg(1).unwrap_or_default();
                let (usage, help) = script::verb_help(sc.card(), verb)
                    .ok_or_else(|| format!("help VERB: {verb:?} is not a command of {}", sc.card().name))?;
                self.status = Some(Status::info(format!("{usage} — {help}")));
                Ok(())
            }
            (Some("guide" | "info"), 1) => {
                self.open_guide();
                Ok(())
            }
            (Some("theme"), 1) => {
                self.set_theme(self.theme.next());
                Ok(())
            }
            (Some("theme"), 2) => {
                let name = arg(1).unwrap_or_default();
                let theme = super::theme::Theme::by_name(name).ok_or_else(|| {
                    format!("theme NAME: {name:?} is not a theme; the themes are {}", super::theme::Theme::names())
                })?;
                self.set_theme(theme);
                Ok(())
            }
            (Some(verb @ ("hide" | "show")), _) => match script::parse_panes(verb == "show", &words[1..])? {
                script::Line::Panes { show, panes } => {
                    self.set_panes(show, &panes);
                    Ok(())
                }
                _ => Ok(()),
            },
            (Some("quit" | "q"), 1) => {
                self.request_quit();
                Ok(())
            }
            (
                Some(
                    w @ ("back" | "restart" | "play" | "stop" | "next" | "help" | "quit" | "speed" | "save" | "halt"
                    | "open" | "theme"),
                ),
                _,
            ) => {
                Err(usage(keymap::PROMPT_COMMANDS.iter().find(|(u, _)| u.starts_with(w)).map(|(u, _)| *u).unwrap_or(w)))
            }
            _ => {
                let input = script::parse_line(line, sc)?;
                match input {
                    // A step that would deliver nothing is not recorded. (A
                    // `run` is: at quiescence it checks the liveness
                    // properties, e.g. after a drop emptied the network.)
                    Some(i @ Input::Step(_)) if sc.in_flight(0).1 == 0 => {
                        self.status = Some(Status::info(format!("{i}: {NOTHING_IN_FLIGHT}")));
                        Ok(())
                    }
                    Some(Input::Pause)
                        if !self.lecture.as_ref().is_some_and(|l| l.error.is_none() && !l.finished()) =>
                    {
                        Err("pause: no script is running (pause is a lecture script's checkpoint)".into())
                    }
                    Some(input) => self.apply(input).await,
                    None => Ok(()),
                }
            }
        }
    }
}
