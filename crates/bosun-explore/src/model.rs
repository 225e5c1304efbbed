//! The file tree as of one layer: what each path is there, and what that layer did to it.

use std::collections::{BTreeMap, HashMap, HashSet};

use bosun_analyze::layer::{Entry, Kind};
use bosun_analyze::view::View;

/// What the selected layer did to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The layer added it.
    Added,
    /// The layer replaced it (a directory: something below it changed).
    Modified,
    /// The layer deleted it.
    Removed,
    /// Lower layers made it, and this one left it alone.
    Unchanged,
}

impl Status {
    /// The mark the tree shows before a changed path, with or without colour.
    pub fn mark(self) -> char {
        match self {
            Status::Added => '+',
            Status::Modified => '~',
            Status::Removed => '-',
            Status::Unchanged => ' ',
        }
    }
}

/// One path of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its last component (`""` for the root).
    pub name: String,
    /// The whole path, without a leading `/`.
    pub path: String,
    /// Directory, file, link...
    pub kind: Kind,
    /// A file's size (a removed one's as it was); a directory's files below it (removed ones
    /// not counted).
    pub size: u64,
    /// Permission bits.
    pub mode: u32,
    /// Owner and group.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// A link's target.
    pub link: Option<String>,
    /// What the layer did to it.
    pub status: Status,
    /// Children, by index.
    pub children: Vec<usize>,
}

impl Node {
    /// A directory the layers imply (root-owned, 0755, unchanged) until an entry says more.
    fn dir(name: &str, path: &str) -> Node {
        Node {
            name: name.to_string(),
            path: path.to_string(),
            kind: Kind::Dir,
            size: 0,
            mode: 0o755,
            uid: 0,
            gid: 0,
            link: None,
            status: Status::Unchanged,
            children: Vec::new(),
        }
    }
}

/// The filesystem as of one layer; node 0 is the root.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Every node.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The filesystem of `layers` stacked up to `layer`, each path marked with what `layer`
    /// did to it; what it deleted is there too, marked removed.
    pub fn at(layers: &[&[Entry]], layer: usize) -> Self {
        let now = View::stack(&layers[..=layer]);
        let before = match layer {
            0 => View::default(),
            l => View::stack(&layers[..l]),
        };
        let mut tree = Tree {
            nodes: vec![Node::dir("", "")],
        };
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut paths: BTreeMap<&str, (&Entry, Status)> = BTreeMap::new();
        for (path, &(l, i)) in &now.visible {
            let e = &layers[l][i];
            let status = match before.visible.get(path) {
                None => Status::Added,
                Some(_) if l == layer && e.kind != Kind::Dir => Status::Modified,
                Some(_) => Status::Unchanged,
            };
            paths.insert(path, (e, status));
        }
        for (path, &(l, i)) in &before.visible {
            if !now.visible.contains_key(path) {
                paths.insert(path, (&layers[l][i], Status::Removed));
            }
        }
        for (path, (e, status)) in paths {
            let node = tree.node_for(path, &mut index);
            let n = &mut tree.nodes[node];
            n.kind = e.kind;
            n.mode = e.mode;
            n.uid = e.uid;
            n.gid = e.gid;
            n.link = e.link.clone();
            n.status = status;
            if e.kind == Kind::File {
                n.size = e.size;
            }
        }
        tree.finish(0);
        tree
    }

    /// The node of `path`, made (and its parents) when missing.
    fn node_for(&mut self, path: &str, index: &mut HashMap<String, usize>) -> usize {
        if let Some(&i) = index.get(path) {
            return i;
        }
        let (parent, name) = match path.rsplit_once('/') {
            Some((p, n)) => (self.node_for(p, index), n),
            None => (0, path),
        };
        let i = self.nodes.len();
        self.nodes.push(Node::dir(name, path));
        self.nodes[parent].children.push(i);
        index.insert(path.to_string(), i);
        i
    }

    /// Sums directory sizes; a directory whose contents changed is modified (unless the
    /// layer added or removed it whole). Returns the node's size and whether it changed.
    fn finish(&mut self, node: usize) -> (u64, bool) {
        let children = self.nodes[node].children.clone();
        if children.is_empty() {
            let n = &self.nodes[node];
            // A removed file shows its size, and adds nothing to its directory's.
            let size = match n.status {
                Status::Removed => 0,
                _ => n.size,
            };
            return (size, n.status != Status::Unchanged);
        }
        let (mut size, mut changed) = (0, false);
        for c in children {
            let (s, ch) = self.finish(c);
            size += s;
            changed |= ch;
        }
        let n = &mut self.nodes[node];
        n.size += size;
        if changed && n.status == Status::Unchanged {
            n.status = Status::Modified;
        }
        (n.size, changed || n.status != Status::Unchanged)
    }
}

/// How the tree is shown.
#[derive(Debug, Clone, Default)]
pub struct Show {
    /// Directories shown closed.
    pub collapsed: HashSet<String>,
    /// Only what the layer changed (and the directories above it).
    pub changes_only: bool,
    /// Statuses hidden (dive's Ctrl+A/R/M/U).
    pub hidden: HashSet<Status>,
    /// Only paths containing this (and the directories above them).
    pub filter: String,
    /// Only these paths (a package's files), when set.
    pub only: Option<HashSet<String>>,
    /// Biggest first instead of by name.
    pub by_size: bool,
}

/// One line of the shown tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The node.
    pub node: usize,
    /// Tree glyphs before the name.
    pub prefix: String,
}

/// The lines of `tree` as `show` asks.
pub fn rows(tree: &Tree, show: &Show) -> Vec<Row> {
    let mut keep = vec![false; tree.nodes.len()];
    mark(tree, 0, show, &mut keep);
    let mut out = Vec::new();
    walk(tree, 0, show, &keep, "", &mut out);
    out
}

/// Whether a node is shown on its own account.
fn wanted(n: &Node, show: &Show) -> bool {
    (!show.changes_only || n.status != Status::Unchanged)
        && !show.hidden.contains(&n.status)
        && (show.filter.is_empty() || n.path.contains(&show.filter))
        && show.only.as_ref().is_none_or(|o| o.contains(&n.path))
}

/// Marks what is shown: wanted nodes, and the directories above them. Returns whether the
/// node is shown.
fn mark(tree: &Tree, node: usize, show: &Show, keep: &mut [bool]) -> bool {
    let n = &tree.nodes[node];
    let mut any = false;
    for &c in &n.children {
        any |= mark(tree, c, show, keep);
    }
    // A directory is shown for what is below it; on its own only when empty or when the
    // filters select it whole.
    let own = match (n.kind == Kind::Dir, n.children.is_empty()) {
        (true, false) => false,
        _ => wanted(n, show),
    };
    keep[node] = node == 0 || any || own;
    keep[node]
}

fn walk(tree: &Tree, node: usize, show: &Show, keep: &[bool], indent: &str, out: &mut Vec<Row>) {
    let n = &tree.nodes[node];
    if node != 0 && show.collapsed.contains(&n.path) {
        return;
    }
    let mut children: Vec<usize> = n.children.iter().copied().filter(|&c| keep[c]).collect();
    match show.by_size {
        true => children.sort_by(|&a, &b| {
            let (a, b) = (&tree.nodes[a], &tree.nodes[b]);
            b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name))
        }),
        false => children.sort_by(|&a, &b| tree.nodes[a].name.cmp(&tree.nodes[b].name)),
    }
    let last = children.len().saturating_sub(1);
    for (i, c) in children.into_iter().enumerate() {
        let (branch, more) = match i == last {
            true => ("└── ", "    "),
            false => ("├── ", "│   "),
        };
        out.push(Row {
            node: c,
            prefix: format!("{indent}{branch}"),
        });
        walk(tree, c, show, keep, &format!("{indent}{more}"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> Entry {
        Entry {
            path: path.into(),
            kind: Kind::File,
            size,
            mode: 0o644,
            mtime: 0,
            uid: 0,
            gid: 0,
            link: None,
            sha256: None,
        }
    }

    fn dir(path: &str) -> Entry {
        Entry {
            kind: Kind::Dir,
            size: 0,
            mode: 0o755,
            ..file(path, 0)
        }
    }

    fn layers() -> Vec<Vec<Entry>> {
        vec![
            vec![
                dir("etc"),
                file("etc/passwd", 100),
                file("etc/shadow", 50),
                dir("usr"),
                file("usr/big", 1000),
            ],
            vec![
                dir("etc"),
                file("etc/passwd", 120),
                file("etc/.wh.shadow", 0),
                dir("app"),
                file("app/main.py", 10),
            ],
        ]
    }

    fn find<'t>(tree: &'t Tree, path: &str) -> &'t Node {
        tree.nodes.iter().find(|n| n.path == path).unwrap()
    }

    #[test]
    fn marks_what_a_layer_did() {
        let owned = layers();
        let l: Vec<&[Entry]> = owned.iter().map(|v| v.as_slice()).collect();
        let first = Tree::at(&l, 0);
        assert_eq!(find(&first, "etc/passwd").status, Status::Added);
        assert_eq!(first.nodes[0].size, 1150);

        let second = Tree::at(&l, 1);
        assert_eq!(find(&second, "etc/passwd").status, Status::Modified);
        assert_eq!(find(&second, "etc/shadow").status, Status::Removed);
        assert_eq!(find(&second, "app/main.py").status, Status::Added);
        assert_eq!(find(&second, "usr/big").status, Status::Unchanged);
        assert_eq!(
            find(&second, "etc").status,
            Status::Modified,
            "its contents changed"
        );
        assert_eq!(find(&second, "usr").status, Status::Unchanged);
        assert_eq!(
            second.nodes[0].size, 1130,
            "removed files count for nothing"
        );

        let all = rows(&second, &Show::default());
        let names: Vec<String> = all
            .iter()
            .map(|r| format!("{}{}", r.prefix, second.nodes[r.node].name))
            .collect();
        assert_eq!(
            names,
            [
                "├── app",
                "│   └── main.py",
                "├── etc",
                "│   ├── passwd",
                "│   └── shadow",
                "└── usr",
                "    └── big"
            ]
        );
        let changes = Show {
            changes_only: true,
            ..Show::default()
        };
        let changed: Vec<&str> = rows(&second, &changes)
            .iter()
            .map(|r| second.nodes[r.node].path.as_str())
            .collect();
        assert_eq!(
            changed,
            ["app", "app/main.py", "etc", "etc/passwd", "etc/shadow"]
        );
        let filtered = Show {
            filter: "pass".into(),
            by_size: true,
            ..Show::default()
        };
        let shown: Vec<&str> = rows(&second, &filtered)
            .iter()
            .map(|r| second.nodes[r.node].path.as_str())
            .collect();
        assert_eq!(shown, ["etc", "etc/passwd"]);
        let mut closed = Show::default();
        closed.collapsed.insert("etc".into());
        closed.by_size = true;
        let shown: Vec<&str> = rows(&second, &closed)
            .iter()
            .map(|r| second.nodes[r.node].path.as_str())
            .collect();
        assert_eq!(shown, ["usr", "usr/big", "etc", "app", "app/main.py"]);
    }
}
