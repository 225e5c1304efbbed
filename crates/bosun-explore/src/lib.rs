//! `bosun inspect -i`: an image's layers and files in a terminal, in the spirit of dive.
//!
//! The left side lists the layers (size, what made them), the selected layer's details and
//! the image's efficiency with its wasted space, or the findings; the right side shows the
//! filesystem as of the selected layer, each path marked with what that layer did to it
//! (`+` added, `~` modified, `-` removed; coloured unless `NO_COLOR` is set), or the bytes
//! by owner (Debian package, Python or npm distribution, build step, unowned directory).
//! Nothing reads file contents: the tree is the layer scans' entries, which `inspect` has
//! already streamed. The terminal is restored on every way out, a panic included (ratatui's
//! hook).

mod model;

pub use model::{Row, Show, Status, Tree, rows};

use std::collections::HashSet;

use bosun_analyze::inspect::Report;
use bosun_analyze::layer::{Entry, Kind, LayerScan};
use bosun_analyze::owners::{Owner, OwnerKind, label};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::{DefaultTerminal, Frame};

/// Shows `report`'s image (its layers scanned as `scans`) until the user quits.
pub fn run(report: &Report, scans: &[LayerScan]) -> std::io::Result<()> {
    let entries: Vec<&[Entry]> = scans.iter().map(|s| s.entries.as_slice()).collect();
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut app = App::new(report, &entries, color);
    let mut terminal = ratatui::init();
    let result = app.run(&mut terminal);
    ratatui::restore();
    result
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    Layers,
    Tree,
    Owners,
}

struct App<'a> {
    report: &'a Report,
    layers: &'a [&'a [Entry]],
    color: bool,
    layer: usize,
    tree: Tree,
    show: Show,
    rows: Vec<Row>,
    cursor: usize,
    owners: Vec<&'a Owner>,
    owner_cursor: usize,
    focus: Focus,
    findings: bool,
    help: bool,
    /// The filter being typed.
    typing: Option<String>,
    /// What `only` shows: an owner's label.
    only_label: Option<String>,
    quit: bool,
}

impl<'a> App<'a> {
    fn new(report: &'a Report, layers: &'a [&'a [Entry]], color: bool) -> Self {
        let owners: Vec<&Owner> = report
            .owners
            .iter()
            .flat_map(|o| o.packages.iter().chain(&o.unowned))
            .collect();
        let layer = layers.len().saturating_sub(1);
        let tree = Tree::at(layers, layer);
        let show = Show::default();
        let rows = rows(&tree, &show);
        App {
            report,
            layers,
            color,
            layer,
            tree,
            show,
            rows,
            cursor: 0,
            owners,
            owner_cursor: 0,
            focus: Focus::Layers,
            findings: false,
            help: false,
            typing: None,
            only_label: None,
            quit: false,
        }
    }

    fn run(&mut self, terminal: &mut DefaultTerminal) -> std::io::Result<()> {
        while !self.quit {
            terminal.draw(|f| self.draw(f))?;
            if let Event::Key(key) = event::read()?
                && key.kind != KeyEventKind::Release
            {
                self.key(key);
            }
        }
        Ok(())
    }

    fn select_layer(&mut self, layer: usize) {
        if self.layers.is_empty() {
            return;
        }
        self.layer = layer.min(self.layers.len() - 1);
        self.tree = Tree::at(self.layers, self.layer);
        self.refresh();
    }

    fn refresh(&mut self) {
        self.rows = rows(&self.tree, &self.show);
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    fn key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        if let Some(text) = &mut self.typing {
            match key.code {
                KeyCode::Enter => self.typing = None,
                KeyCode::Esc => {
                    self.typing = None;
                    self.show.filter.clear();
                }
                KeyCode::Backspace => {
                    text.pop();
                    self.show.filter = text.clone();
                }
                KeyCode::Char(c) => {
                    text.push(c);
                    self.show.filter = text.clone();
                }
                _ => {}
            }
            self.refresh();
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        let page = 10;
        match (key.code, ctrl) {
            (KeyCode::Char('q'), _) => self.quit = true,
            (KeyCode::Char('?'), _) => self.help = true,
            (KeyCode::Tab, _) => {
                self.focus = match self.focus {
                    Focus::Layers => Focus::Tree,
                    Focus::Tree | Focus::Owners => Focus::Layers,
                }
            }
            (KeyCode::Char('/'), _) | (KeyCode::Char('f'), true) => {
                self.typing = Some(self.show.filter.clone());
                self.focus = Focus::Tree;
            }
            (KeyCode::Char('o'), false) => {
                self.focus = match self.focus {
                    Focus::Owners => Focus::Tree,
                    _ => Focus::Owners,
                }
            }
            (KeyCode::Char('f'), false) => self.findings = !self.findings,
            (KeyCode::Char('s'), _) | (KeyCode::Char('o'), true) => {
                self.show.by_size = !self.show.by_size;
                self.refresh();
            }
            (KeyCode::Char('l'), true) => {
                self.show.changes_only = true;
                self.refresh();
            }
            (KeyCode::Char('a'), true) if self.focus == Focus::Layers => {
                self.show.changes_only = false;
                self.refresh();
            }
            (KeyCode::Char(c @ ('a' | 'r' | 'm' | 'u')), true) => {
                let status = match c {
                    'a' => Status::Added,
                    'r' => Status::Removed,
                    'm' => Status::Modified,
                    _ => Status::Unchanged,
                };
                if !self.show.hidden.remove(&status) {
                    self.show.hidden.insert(status);
                }
                self.refresh();
            }
            (KeyCode::Char(' '), true) | (KeyCode::Null, _) => self.collapse_all(),
            (KeyCode::Char(' '), false) => self.toggle_collapse(),
            (KeyCode::Esc, _) => {
                self.show.filter.clear();
                self.show.only = None;
                self.only_label = None;
                self.refresh();
            }
            (KeyCode::Enter, _) => self.jump(),
            (KeyCode::Up | KeyCode::Char('k'), _) => self.move_by(-1),
            (KeyCode::Down | KeyCode::Char('j'), _) => self.move_by(1),
            (KeyCode::PageUp, _) | (KeyCode::Char('u'), false) => self.move_by(-page),
            (KeyCode::PageDown, _) | (KeyCode::Char('d'), false) => self.move_by(page),
            (KeyCode::Home | KeyCode::Char('g'), _) => self.move_by(-(i64::MAX / 2)),
            (KeyCode::End | KeyCode::Char('G'), _) => self.move_by(i64::MAX / 2),
            _ => {}
        }
    }

    fn move_by(&mut self, delta: i64) {
        let clamp = |at: usize, len: usize| -> usize {
            (at as i64 + delta).clamp(0, len.saturating_sub(1) as i64) as usize
        };
        match self.focus {
            Focus::Layers => {
                let layer = clamp(self.layer, self.layers.len());
                if layer != self.layer {
                    self.select_layer(layer);
                }
            }
            Focus::Tree => self.cursor = clamp(self.cursor, self.rows.len()),
            Focus::Owners => self.owner_cursor = clamp(self.owner_cursor, self.owners.len()),
        }
    }

    fn toggle_collapse(&mut self) {
        if self.focus != Focus::Tree {
            return;
        }
        let Some(row) = self.rows.get(self.cursor) else {
            return;
        };
        let node = &self.tree.nodes[row.node];
        if node.kind != Kind::Dir || node.children.is_empty() {
            return;
        }
        let path = node.path.clone();
        if !self.show.collapsed.remove(&path) {
            self.show.collapsed.insert(path);
        }
        self.refresh();
    }

    fn collapse_all(&mut self) {
        if self.show.collapsed.is_empty() {
            let top: HashSet<String> = self.tree.nodes[0]
                .children
                .iter()
                .map(|&c| &self.tree.nodes[c])
                .filter(|n| n.kind == Kind::Dir && !n.children.is_empty())
                .map(|n| n.path.clone())
                .collect();
            self.show.collapsed = top;
        } else {
            self.show.collapsed.clear();
        }
        self.refresh();
    }

    /// From a file to the owner that holds it; from an owner to its files.
    fn jump(&mut self) {
        let Some(owners) = &self.report.owners else {
            return;
        };
        match self.focus {
            Focus::Tree => {
                let Some(row) = self.rows.get(self.cursor) else {
                    return;
                };
                let path = &self.tree.nodes[row.node].path;
                let found = match owners.file_owner.get(path) {
                    Some(owner) => self
                        .owners
                        .iter()
                        .position(|o| label(o.kind, &o.name) == *owner),
                    None => {
                        let dir = format!("/{}", path.rsplit_once('/').map_or("", |(d, _)| d));
                        self.owners
                            .iter()
                            .position(|o| o.kind == OwnerKind::Unowned && o.name == dir)
                    }
                };
                if let Some(i) = found {
                    self.owner_cursor = i;
                    self.focus = Focus::Owners;
                }
            }
            Focus::Owners => {
                let Some(owner) = self.owners.get(self.owner_cursor) else {
                    return;
                };
                let files: HashSet<String> = match owner.kind {
                    OwnerKind::Unowned => {
                        let dir = owner.name.trim_start_matches('/');
                        self.tree
                            .nodes
                            .iter()
                            .filter(|n| {
                                n.kind != Kind::Dir
                                    && !owners.file_owner.contains_key(&n.path)
                                    && n.path.rsplit_once('/').map_or("", |(d, _)| d) == dir
                            })
                            .map(|n| n.path.clone())
                            .collect()
                    }
                    kind => {
                        let want = label(kind, &owner.name);
                        owners
                            .file_owner
                            .iter()
                            .filter(|(_, o)| **o == want)
                            .map(|(p, _)| p.clone())
                            .collect()
                    }
                };
                self.only_label = Some(match owner.kind {
                    OwnerKind::Unowned => format!("unowned in {}", owner.name),
                    kind => label(kind, &owner.name),
                });
                self.show.only = Some(files);
                self.focus = Focus::Tree;
                self.cursor = 0;
                self.refresh();
            }
            Focus::Layers => {}
        }
    }

    fn style(&self, status: Status) -> Style {
        if !self.color {
            return Style::default();
        }
        match status {
            Status::Added => Style::default().fg(Color::Green),
            Status::Modified => Style::default().fg(Color::Yellow),
            Status::Removed => Style::default().fg(Color::Red),
            Status::Unchanged => Style::default(),
        }
    }

    fn selected(&self, focused: bool) -> Style {
        match focused {
            true => Style::default().add_modifier(Modifier::REVERSED),
            false => Style::default().add_modifier(Modifier::BOLD),
        }
    }

    fn draw(&self, f: &mut Frame) {
        let [main, status] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)])
                .areas(main);
        let layer_rows = (self.layers.len() as u16 + 2).min(left.height / 3).max(3);
        let [layers, details, image] = Layout::vertical([
            Constraint::Length(layer_rows),
            Constraint::Length(6),
            Constraint::Min(3),
        ])
        .areas(left);
        self.draw_layers(f, layers);
        self.draw_details(f, details);
        match self.findings {
            true => self.draw_findings(f, image),
            false => self.draw_image(f, image),
        }
        match self.focus {
            Focus::Owners => self.draw_owners(f, right),
            _ => self.draw_tree(f, right),
        }
        let hint = match (&self.typing, self.focus) {
            (Some(text), _) => format!(" Filter: {text}█   (Enter keep, Esc clear)"),
            (None, Focus::Layers) => " ^C/q Quit  Tab Switch  ↑↓ Layer  ^L Layer changes  ^A All up to it  / Filter  o Owners  f Findings  ? Help".into(),
            (None, Focus::Tree) => " ^C/q Quit  Tab Switch  Space Collapse  ^Space All  ^A/^R/^M/^U Added/Removed/Modified/Unmodified  s Size  Enter Owner  ? Help".into(),
            (None, Focus::Owners) => " ^C/q Quit  o Tree  ↑↓ Owner  Enter Its files  Esc Clear  ? Help".into(),
        };
        f.render_widget(
            Paragraph::new(hint).style(Style::default().add_modifier(Modifier::REVERSED)),
            status,
        );
        if self.help {
            self.draw_help(f);
        }
    }

    fn block(&self, title: String, focused: bool) -> Block<'static> {
        let block = Block::bordered().title(title);
        match focused {
            true => block.border_style(Style::default().add_modifier(Modifier::BOLD)),
            false => block,
        }
    }

    fn draw_layers(&self, f: &mut Frame, area: Rect) {
        let focused = self.focus == Focus::Layers;
        let height = area.height.saturating_sub(2) as usize;
        let start = window(self.layer, self.layers.len(), height);
        let lines: Vec<Line> = self
            .report
            .layers
            .iter()
            .enumerate()
            .skip(start)
            .take(height)
            .map(|(i, l)| {
                let text = format!(
                    "{:>3} {:>9}  {}",
                    i,
                    human(l.content_size),
                    l.created_by.as_deref().unwrap_or("")
                );
                match i == self.layer {
                    true => Line::styled(text, self.selected(focused)),
                    false => Line::raw(text),
                }
            })
            .collect();
        f.render_widget(
            Paragraph::new(lines).block(self.block(" Layers ".into(), focused)),
            area,
        );
    }

    fn draw_details(&self, f: &mut Frame, area: Rect) {
        let Some(l) = self.report.layers.get(self.layer) else {
            return;
        };
        let lines = vec![
            Line::raw(format!(
                "Digest: {}",
                l.digest.as_deref().unwrap_or(&l.diff_id)
            )),
            Line::raw(format!(
                "Size: {}   Changes: +{} ~{} -{}",
                human(l.content_size),
                l.changes.added,
                l.changes.modified,
                l.changes.removed
            )),
            Line::raw(format!(
                "Command: {}",
                l.created_by.as_deref().unwrap_or("(none)")
            )),
        ];
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(self.block(" Layer Details ".into(), false)),
            area,
        );
    }

    fn draw_image(&self, f: &mut Frame, area: Rect) {
        let d = &self.report.dive;
        let mut lines = vec![
            Line::raw(format!("Image name: {}", self.report.reference)),
            Line::raw(format!("Total Image size: {}", human(d.size_bytes))),
            Line::raw(format!("Potential wasted space: {}", human(d.wasted_bytes))),
            Line::raw(format!(
                "Image efficiency score: {:.0} %",
                d.efficiency * 100.0
            )),
            Line::raw(""),
            Line::styled(
                format!("{:>5} {:>11}  Path", "Count", "Total Space"),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ];
        lines.extend(d.inefficient.iter().map(|r| {
            Line::raw(format!(
                "{:>5} {:>11}  /{}",
                r.count,
                human(r.cumulative_size.max(0) as u64),
                r.path.trim_start_matches('/')
            ))
        }));
        if d.inefficient.is_empty() {
            lines.push(Line::raw("    (no path is in two layers)"));
        }
        f.render_widget(
            Paragraph::new(lines).block(self.block(" Image Details ".into(), false)),
            area,
        );
    }

    fn draw_findings(&self, f: &mut Frame, area: Rect) {
        let mut lines: Vec<Line> = self
            .report
            .findings
            .iter()
            .map(|x| {
                Line::raw(format!(
                    "{} {:<7} {}{}",
                    x.code,
                    x.severity.as_str(),
                    x.message,
                    x.layer.map(|l| format!(" [layer {l}]")).unwrap_or_default()
                ))
            })
            .collect();
        if lines.is_empty() {
            lines.push(Line::raw("no findings"));
        }
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(self.block(" Findings ".into(), false)),
            area,
        );
    }

    fn draw_tree(&self, f: &mut Frame, area: Rect) {
        let focused = self.focus == Focus::Tree;
        let mode = match self.show.changes_only {
            true => format!("Layer {} changes", self.layer),
            false => format!("Contents up to layer {}", self.layer),
        };
        let mut title = format!(" {mode} ");
        if !self.show.filter.is_empty() {
            title.push_str(&format!("[filter: {}] ", self.show.filter));
        }
        if let Some(owner) = &self.only_label {
            title.push_str(&format!("[files of {owner}] "));
        }
        if self.show.by_size {
            title.push_str("[by size] ");
        }
        let height = area.height.saturating_sub(3) as usize;
        let start = window(self.cursor, self.rows.len(), height);
        let mut lines = vec![Line::styled(
            format!(
                "{:<10} {:>11} {:>9}  Filetree",
                "Permission", "UID:GID", "Size"
            ),
            Style::default().add_modifier(Modifier::BOLD),
        )];
        for (i, row) in self.rows.iter().enumerate().skip(start).take(height) {
            let n = &self.tree.nodes[row.node];
            let collapsed = n.kind == Kind::Dir && self.show.collapsed.contains(&n.path);
            let name = match (&n.link, collapsed) {
                (Some(target), _) if n.kind == Kind::Symlink => format!("{} → {target}", n.name),
                (_, true) => format!("{}/ …", n.name),
                _ => n.name.clone(),
            };
            let text = format!(
                "{:<10} {:>11} {:>9} {}{}{}",
                mode_string(n.kind, n.mode),
                format!("{}:{}", n.uid, n.gid),
                match n.kind {
                    Kind::File | Kind::Dir => human(n.size),
                    _ => String::new(),
                },
                n.status.mark(),
                row.prefix,
                name
            );
            let style = match i == self.cursor {
                true => self.style(n.status).patch(self.selected(focused)),
                false => self.style(n.status),
            };
            lines.push(Line::from(Span::styled(text, style)));
        }
        if self.rows.is_empty() {
            lines.push(Line::raw("  (nothing matches)"));
        }
        f.render_widget(
            Paragraph::new(lines).block(self.block(title, focused)),
            area,
        );
    }

    fn draw_owners(&self, f: &mut Frame, area: Rect) {
        let Some(owners) = &self.report.owners else {
            f.render_widget(
                Paragraph::new("no owners were computed")
                    .block(self.block(" Owners ".into(), true)),
                area,
            );
            return;
        };
        let height = area.height.saturating_sub(4) as usize;
        let start = window(self.owner_cursor, self.owners.len(), height);
        let mut lines = vec![
            Line::raw(format!(
                "{} in files: {} owned, {} unowned",
                human(owners.total_bytes),
                human(owners.owned_bytes),
                human(owners.unowned_bytes)
            )),
            Line::styled(
                format!(
                    "{:<7} {:<32} {:<24} {:>6} {:>9}",
                    "KIND", "OWNER", "VERSION", "FILES", "SIZE"
                ),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ];
        for (i, o) in self.owners.iter().enumerate().skip(start).take(height) {
            let kind = match o.kind {
                OwnerKind::Deb => "deb",
                OwnerKind::Python => "python",
                OwnerKind::Npm => "npm",
                OwnerKind::Step => "step",
                OwnerKind::Unowned => "-",
            };
            let text = format!(
                "{kind:<7} {:<32} {:<24} {:>6} {:>9}",
                o.name,
                o.version.as_deref().unwrap_or(""),
                o.files,
                human(o.bytes)
            );
            lines.push(match i == self.owner_cursor {
                true => Line::styled(text, self.selected(true)),
                false => Line::raw(text),
            });
        }
        f.render_widget(
            Paragraph::new(lines).block(self.block(" Bytes by owner ".into(), true)),
            area,
        );
    }

    fn draw_help(&self, f: &mut Frame) {
        let text = [
            "Keys (dive's where they exist)",
            "",
            "  Tab            switch between layers and files",
            "  ↑ ↓ k j        move;  PgUp PgDn u d  page;  g G  first, last",
            "  Ctrl+L         the selected layer's changes only",
            "  Ctrl+A         everything up to the selected layer (in the layer list)",
            "  Space          collapse or expand a directory",
            "  Ctrl+Space     collapse or expand all",
            "  Ctrl+A/R/M/U   hide or show added, removed, modified, unmodified (in the tree)",
            "  / or Ctrl+F    filter paths;  Esc  clear filters",
            "  s or Ctrl+O    sort by size or by name",
            "  o              bytes by owner (Debian, Python, npm, build step, unowned)",
            "  Enter          a file's owner;  on an owner, its files",
            "  f              findings (secrets, root user, shell...) or image details",
            "  q or Ctrl+C    quit",
            "",
            "Marks: + added  ~ modified  - removed (colours unless NO_COLOR is set)",
            "Any key closes this help.",
        ];
        let area = f.area();
        let width = 84.min(area.width);
        let height = (text.len() as u16 + 2).min(area.height);
        let popup = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height - height) / 2,
            width,
            height,
        };
        f.render_widget(Clear, popup);
        f.render_widget(
            Paragraph::new(text.iter().map(|t| Line::raw(*t)).collect::<Vec<_>>())
                .block(Block::bordered().title(" Help ")),
            popup,
        );
    }
}

/// The first line to show so that `at` is on screen in `height` lines of `len`.
fn window(at: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    at.saturating_sub(height / 2).min(len - height)
}

pub use bosun_analyze::human;

/// `drwxr-xr-x` and the like.
fn mode_string(kind: Kind, mode: u32) -> String {
    let first = match kind {
        Kind::Dir => 'd',
        Kind::Symlink => 'l',
        _ => '-',
    };
    let mut s = String::from(first);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_modes_and_windows() {
        assert_eq!(human(999), "999 B");
        assert_eq!(human(1_500_000), "1.5 MB");
        assert_eq!(mode_string(Kind::Dir, 0o755), "drwxr-xr-x");
        assert_eq!(mode_string(Kind::File, 0o640), "-rw-r-----");
        assert_eq!(window(0, 100, 10), 0);
        assert_eq!(window(50, 100, 10), 45);
        assert_eq!(window(99, 100, 10), 90);
        assert_eq!(window(3, 5, 10), 0);
    }
}
