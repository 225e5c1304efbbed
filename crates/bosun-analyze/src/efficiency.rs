//! Image efficiency exactly as dive computes it, and bosun's corrected figures.
//!
//! dive builds one tree per layer from the tar entries and walks each tree's leaves, children
//! in byte order, deepest first. Every leaf adds its size to its path's cumulative size and
//! lowers the path's minimum; a whiteout leaf counts the size of what it deletes in the trees
//! below stacked together (0 for a file, the whole subtree for a directory). Nodes a layer only
//! implies (parents with no entry of their own) carry no size and are not directories, and they
//! replace what lower layers said when trees are stacked. These quirks are reproduced on purpose
//! so that the numbers match dive to the byte; [`Corrected`] gives the figures a user means.

use std::collections::{BTreeMap, HashMap};

use crate::layer::{Entry, Kind};

/// What a tree node says about its path (dive's payload). Implied parents have the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Payload {
    size: i64,
    is_dir: bool,
}

#[derive(Debug, Clone, Default)]
struct Node {
    children: BTreeMap<String, usize>,
    payload: Payload,
    parent: usize,
    name: String,
}

/// A dive file tree (arena; node 0 is the root).
#[derive(Debug, Clone)]
struct Tree {
    nodes: Vec<Node>,
}

const OPAQUE_PREFIX: &str = ".wh..wh.";
const WHITEOUT_PREFIX: &str = ".wh.";

impl Tree {
    fn new() -> Self {
        Self {
            nodes: vec![Node::default()],
        }
    }

    fn from_entries(entries: &[Entry]) -> Self {
        let mut tree = Self::new();
        for e in entries {
            let payload = Payload {
                size: e.size as i64,
                is_dir: e.kind == Kind::Dir,
            };
            tree.add_path(&e.path, payload);
        }
        tree
    }

    fn add_path(&mut self, path: &str, payload: Payload) {
        let names: Vec<&str> = path.split('/').filter(|n| !n.is_empty()).collect();
        let mut node = 0;
        for (i, name) in names.iter().enumerate() {
            node = match self.nodes[node].children.get(*name) {
                Some(&child) => child,
                None => {
                    // dive never adds opaque markers (or anything below one).
                    if name.starts_with(OPAQUE_PREFIX) {
                        return;
                    }
                    let child = self.nodes.len();
                    self.nodes.push(Node {
                        children: BTreeMap::new(),
                        payload: Payload::default(),
                        parent: node,
                        name: (*name).to_string(),
                    });
                    self.nodes[node].children.insert((*name).to_string(), child);
                    child
                }
            };
            if i == names.len() - 1 {
                self.nodes[node].payload = payload;
            }
        }
    }

    fn get(&self, path: &str) -> Option<usize> {
        let mut node = 0;
        for name in path.split('/').filter(|n| !n.is_empty()) {
            node = *self.nodes[node].children.get(name)?;
        }
        Some(node)
    }

    fn remove(&mut self, path: &str) -> bool {
        match self.get(path) {
            Some(0) | None => false,
            Some(node) => {
                let parent = self.nodes[node].parent;
                let name = self.nodes[node].name.clone();
                self.nodes[parent].children.remove(&name);
                true
            }
        }
    }

    /// The node's path as dive prints it: `/a/b`, with a leaf's `.wh.` dropped.
    fn path(&self, node: usize) -> String {
        let mut names = Vec::new();
        let mut cur = node;
        while cur != 0 {
            let name = &self.nodes[cur].name;
            names.push(if cur == node {
                name.strip_prefix(WHITEOUT_PREFIX).unwrap_or(name)
            } else {
                name.as_str()
            });
            cur = self.nodes[cur].parent;
        }
        names.reverse();
        format!("/{}", names.join("/"))
    }

    fn is_whiteout(&self, node: usize) -> bool {
        self.nodes[node].name.starts_with(WHITEOUT_PREFIX)
    }

    /// Nodes below `node` in dive's order (children by name, deepest first), then `node`
    /// itself unless it is the root.
    fn post_order(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        // (node, children visited?)
        let mut stack = vec![(node, false)];
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                if n != 0 {
                    out.push(n);
                }
                continue;
            }
            stack.push((n, true));
            for &child in self.nodes[n].children.values().rev() {
                stack.push((child, false));
            }
        }
        out
    }

    /// Lays `upper` over `self` as dive's `Stack` does.
    fn stack(&mut self, upper: &Tree) {
        for node in upper.post_order(0) {
            let path = upper.path(node);
            if upper.is_whiteout(node) {
                self.remove(&path);
            } else {
                self.add_path(&path, upper.nodes[node].payload);
            }
        }
    }
}

/// One path's record across layers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PathRecord {
    /// The path, `/`-rooted.
    pub path: String,
    /// How many layers have a leaf at this path.
    pub count: usize,
    /// The sum of its sizes in those layers.
    pub cumulative_size: i64,
    /// The smallest of them.
    pub minimum_size: i64,
}

/// dive's figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DiveFigures {
    /// Sum of minimum sizes / sum of cumulative sizes (1.0 when both are 0).
    pub efficiency: f64,
    /// Sum of the cumulative sizes of paths seen in two or more layers.
    pub wasted_bytes: u64,
    /// Sum of the sizes of all layers' entries.
    pub size_bytes: u64,
    /// Sum of the sizes of all layers but the first.
    pub user_size_bytes: u64,
    /// wasted bytes / user size (NaN or infinite when the user size is 0, as in dive).
    pub user_wasted_percent: f64,
    /// Per layer, the sum of its entries' sizes.
    pub layer_sizes: Vec<u64>,
    /// The paths seen in two or more layers, most wasted first.
    pub inefficient: Vec<PathRecord>,
}

/// Computes dive's figures from each layer's entries (base first).
pub fn dive(layers: &[&[Entry]]) -> DiveFigures {
    let trees: Vec<Tree> = layers.iter().map(|e| Tree::from_entries(e)).collect();
    // The stacked tree of layers 0..i-1 (dive stacks trees[0] alone for i = 0 and 1).
    let mut stacked = trees.first().cloned().unwrap_or_else(Tree::new);
    let mut stacked_upto = 0usize;
    let mut records: HashMap<String, PathRecord> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for (i, tree) in trees.iter().enumerate() {
        while stacked_upto + 1 < i {
            stacked_upto += 1;
            stacked.stack(&trees[stacked_upto]);
        }
        for node in tree.post_order(0) {
            if !tree.nodes[node].children.is_empty() {
                continue;
            }
            let path = tree.path(node);
            let record = records.entry(path.clone()).or_insert_with(|| {
                order.push(path.clone());
                PathRecord {
                    path: path.clone(),
                    count: 0,
                    cumulative_size: 0,
                    minimum_size: -1,
                }
            });
            let size = if tree.is_whiteout(node) {
                let Some(below) = stacked.get(&path) else {
                    // dive stops walking this layer when a whiteout's target is missing.
                    break;
                };
                if stacked.nodes[below].payload.is_dir {
                    stacked
                        .post_order(below)
                        .iter()
                        .map(|&n| stacked.nodes[n].payload.size)
                        .sum::<i64>()
                } else {
                    0
                }
            } else {
                tree.nodes[node].payload.size
            };
            record.cumulative_size += size;
            if record.minimum_size < 0 || size < record.minimum_size {
                record.minimum_size = size;
            }
            record.count += 1;
        }
    }
    let minimum: i64 = records.values().map(|r| r.minimum_size).sum();
    let cumulative: i64 = records.values().map(|r| r.cumulative_size).sum();
    let efficiency = if cumulative == 0 {
        1.0
    } else {
        minimum as f64 / cumulative as f64
    };
    let mut inefficient: Vec<PathRecord> = order
        .iter()
        .filter_map(|p| records.get(p))
        .filter(|r| r.count >= 2)
        .cloned()
        .collect();
    inefficient.sort_by(|a, b| {
        b.cumulative_size
            .cmp(&a.cumulative_size)
            .then_with(|| a.path.cmp(&b.path))
    });
    let wasted_bytes = inefficient.iter().map(|r| r.cumulative_size).sum::<i64>() as u64;
    let layer_sizes: Vec<u64> = layers
        .iter()
        .map(|entries| entries.iter().map(|e| e.size).sum())
        .collect();
    let size_bytes = layer_sizes.iter().sum();
    let user_size_bytes: u64 = layer_sizes.iter().skip(1).sum();
    let user_wasted_percent = wasted_bytes as f64 / user_size_bytes as f64;
    DiveFigures {
        efficiency,
        wasted_bytes,
        size_bytes,
        user_size_bytes,
        user_wasted_percent,
        layer_sizes,
        inefficient,
    }
}

/// The figures a user means by "wasted": bytes stored in some layer that the final
/// filesystem cannot see (overwritten or deleted later), each copy counted once, the surviving
/// copy never.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Corrected {
    /// Bytes of file content in all layers.
    pub stored_bytes: u64,
    /// Bytes of file content the final filesystem shows.
    pub visible_bytes: u64,
    /// stored - visible: content shipped but hidden.
    pub hidden_bytes: u64,
    /// visible / stored (1.0 when nothing is stored).
    pub efficiency: f64,
}
