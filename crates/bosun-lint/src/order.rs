//! hadolint's report order, reproduced.
//!
//! hadolint keeps findings in a Haskell `Data.Sequence` built by appending them one by one
//! (its last filter rebuilds the sequence that way), then sorts them by line alone with
//! `unstableSort`: a pairing heap built by folding over the sequence's finger tree, popped
//! one minimum at a time. Findings on the same line therefore come out in an order that
//! depends on how many findings there are and where they sit, not on their codes. This
//! module rebuilds the same finger tree shape and the same heap, so the order matches.

use crate::Failure;

/// The finger tree that successive appends build, holding indices into the findings.
enum Tree {
    Empty,
    Single(Node),
    Deep(Vec<Node>, Box<Tree>, Vec<Node>),
}

/// An element, or a 2-3 node of elements one level down.
enum Node {
    Leaf(usize),
    Branch(Vec<Node>),
}

impl Tree {
    /// Appends on the right, as `Data.Sequence.|>` does: a full four-element right digit
    /// pushes its first three down as one node.
    fn snoc(self, node: Node) -> Tree {
        match self {
            Tree::Empty => Tree::Single(node),
            Tree::Single(a) => Tree::Deep(vec![a], Box::new(Tree::Empty), vec![node]),
            Tree::Deep(prefix, middle, mut suffix) => {
                if suffix.len() == 4 {
                    let last = suffix.pop().expect("four");
                    let three = Node::Branch(suffix);
                    Tree::Deep(prefix, Box::new(middle.snoc(three)), vec![last, node])
                } else {
                    suffix.push(node);
                    Tree::Deep(prefix, middle, suffix)
                }
            }
        }
    }
}

/// A pairing heap node: an element and its subheaps.
struct Heap {
    top: usize,
    children: Vec<Heap>,
}

struct Sorter<'a> {
    lines: &'a [usize],
}

impl Sorter<'_> {
    /// `mergeQ`: the right heap wins only when strictly smaller; the loser goes first in the
    /// winner's children.
    fn merge(&self, left: Heap, mut right: Heap) -> Heap {
        if self.lines[left.top] > self.lines[right.top] {
            right.children.insert(0, left);
            right
        } else {
            let mut left = left;
            left.children.insert(0, right);
            left
        }
    }

    /// `foldDigit`/`foldNode`: elements merged left to right.
    fn fold_nodes(&self, nodes: Vec<Node>) -> Heap {
        let mut heaps = nodes.into_iter().map(|n| self.fold_node(n));
        let first = heaps.next().expect("digits and nodes are never empty");
        heaps.fold(first, |acc, h| self.merge(acc, h))
    }

    fn fold_node(&self, node: Node) -> Heap {
        match node {
            Node::Leaf(i) => Heap {
                top: i,
                children: Vec::new(),
            },
            Node::Branch(nodes) => self.fold_nodes(nodes),
        }
    }

    /// `foldToMaybeTree`: (prefix <+> suffix) <+> middle.
    fn fold_tree(&self, tree: Tree) -> Option<Heap> {
        match tree {
            Tree::Empty => None,
            Tree::Single(n) => Some(self.fold_node(n)),
            Tree::Deep(prefix, middle, suffix) => {
                let outer = {
                    let p = self.fold_nodes(prefix);
                    let s = self.fold_nodes(suffix);
                    self.merge(p, s)
                };
                Some(match self.fold_tree(*middle) {
                    Some(m) => self.merge(outer, m),
                    None => outer,
                })
            }
        }
    }

    /// `popMinQ`'s `mergeQs`: pairs from the left, then the pairs merged from the right.
    fn merge_children(&self, mut children: Vec<Heap>) -> Option<Heap> {
        match children.len() {
            0 => None,
            1 => children.pop(),
            2 => {
                let b = children.pop().expect("two");
                let a = children.pop().expect("two");
                Some(self.merge(a, b))
            }
            _ => {
                let rest = children.split_off(2);
                let b = children.pop().expect("two");
                let a = children.pop().expect("two");
                let pair = self.merge(a, b);
                Some(match self.merge_children(rest) {
                    Some(r) => self.merge(pair, r),
                    None => pair,
                })
            }
        }
    }
}

/// Sorts findings by line in exactly the order hadolint prints them.
pub fn hadolint_order(failures: Vec<Failure>) -> Vec<Failure> {
    let lines: Vec<usize> = failures.iter().map(|f| f.line).collect();
    let mut tree = Tree::Empty;
    for i in 0..failures.len() {
        tree = tree.snoc(Node::Leaf(i));
    }
    let sorter = Sorter { lines: &lines };
    let mut order = Vec::with_capacity(failures.len());
    let mut heap = sorter.fold_tree(tree);
    while let Some(h) = heap {
        order.push(h.top);
        heap = sorter.merge_children(h.children);
    }
    let mut slots: Vec<Option<Failure>> = failures.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|i| slots[i].take().expect("each index once"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    fn failures(spec: &[(&str, usize)]) -> Vec<Failure> {
        spec.iter()
            .map(|&(code, line)| Failure {
                code: code.into(),
                severity: Severity::Warning,
                message: String::new(),
                line,
                column: 1,
            })
            .collect()
    }

    /// Ten findings in rule order, as hadolint 2.15.1 produced them for a sample file, and
    /// the order it printed.
    #[test]
    fn same_line_order_matches_hadolint() {
        let input = failures(&[
            ("DL3003", 3),
            ("DL3006", 1),
            ("DL3008", 2),
            ("DL3009", 2),
            ("DL3011", 7),
            ("DL3015", 2),
            ("DL3047", 3),
            ("DL4000", 8),
            ("DL4006", 3),
            ("SC2164", 6),
        ]);
        let codes: Vec<String> = hadolint_order(input).into_iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                "DL3006", "DL3015", "DL3009", "DL3008", "DL3047", "DL3003", "DL4006", "SC2164",
                "DL3011", "DL4000"
            ]
        );
    }

    #[test]
    fn sorted_by_line_whatever_the_count() {
        for n in 0..200 {
            let spec: Vec<(&str, usize)> = (0..n).map(|i| ("X", (i * 7919) % 13)).collect();
            let out = hadolint_order(failures(&spec));
            assert_eq!(out.len(), n);
            assert!(out.windows(2).all(|w| w[0].line <= w[1].line));
        }
    }
}
