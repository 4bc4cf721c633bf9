//! The frame's composition: which pane goes where, drawn from view values
//! built once per frame from the app's state. The state (`app.rs`) knows
//! nothing of drawing; the panes know nothing of the state.

use super::app::App;
use super::view::{Side, View};
use super::{
    chart, header, inflight, inspector, keybar, layout, log, narration, overlay, picker, spacetime, table, topology,
    transcript,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

/// Draw the whole screen. Reads only cached and cheap state: the cost
/// depends on what is visible, not on the length of the run.
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    super::theme::set(app.theme);
    frame.buffer_mut().set_style(area, app.theme.base());
    if layout::too_small(area) {
        super::too_small(frame, area);
        return;
    }
    match app.scenario.as_deref() {
        None => {
            let [body, status, keys] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(1), Constraint::Length(1)]).areas(area);
            picker::render(app.picker, &app.choice, frame, body);
            keybar::render_status(app.status.as_ref(), frame, status);
            keybar::render(&app.key_bar(), frame, keys);
        }
        Some(sc) => {
            let v = View {
                sc,
                selected: app.selected,
                cursor: app.cursor,
                playing: app.playing,
                steps_per_second: app.steps_per_second(),
                inspect: &app.inspect,
                inspect_node: app.inspect_node,
                script: app.script_view(sc),
                side: Side::of(sc),
                event: app.diagram.event,
                scroll: app.scroll,
            };
            let Some(p) = layout::run_panes(area, sc, v.script.as_ref(), &v.side, &app.shown) else { return };
            header::render(&v, frame, p.header);
            // A pane hidden, full screen elsewhere or left out of the
            // compact layout has an empty area and is not drawn.
            if !p.topology.is_empty() {
                topology::render(&v, frame, p.topology);
            }
            if !p.spacetime.is_empty() {
                spacetime::render(sc, &app.diagram, app.selected, frame, p.spacetime);
            }
            if !p.side.is_empty() {
                if let Some(data) = &v.side.chart {
                    chart::render(data, sc, frame, p.side);
                } else {
                    let (grid_area, screens_area) = v.side.areas(p.side);
                    if let Some(grid) = &v.side.table {
                        table::render(grid, frame, grid_area);
                    }
                    if !screens_area.is_empty() {
                        transcript::render(&v, frame, screens_area);
                    }
                }
            }
            if !p.inspector.is_empty() {
                inspector::render(&v, frame, p.inspector);
            }
            if !p.inflight.is_empty() {
                inflight::render(&v, frame, p.inflight);
            }
            if !p.log.is_empty() {
                log::render(sc, app.scroll.log, frame, p.log);
            }
            narration::render(&v, frame, p.narration);
            match &app.prompt {
                Some(prompt) => prompt.render(frame, p.status, app.prompt_hint(sc).as_deref()),
                None => keybar::render_status(app.status.as_ref(), frame, p.status),
            }
            keybar::render(&app.key_bar(), frame, p.keybar);
        }
    }
    if let Some(overlay) = app.overlay {
        overlay::render(app.scenario.as_deref(), frame, area, overlay);
    }
}
