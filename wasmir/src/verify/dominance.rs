//! Dominator trees of multi-block regions (Cooper, Harvey and Kennedy, "A Simple, Fast
//! Dominance Algorithm"), with pre/post numbering for O(1) queries. Iterative throughout.
use crate::ir::{Block, Body, Region};
use cranelift_entity::SecondaryMap;

pub struct DomTree {
    /// Pre-order and post-order numbers in the dominator tree; `u32::MAX` = unreachable.
    pre: SecondaryMap<Block, u32>,
    post: SecondaryMap<Block, u32>,
}

fn successors(body: &Body, b: Block) -> impl Iterator<Item = Block> + '_ {
    body.last_op(b).into_iter().flat_map(move |t| body.successors(t).iter().map(move |&s| body.succ_block(s)))
}

impl DomTree {
    pub fn compute(body: &Body, r: Region) -> DomTree {
        const NONE: u32 = u32::MAX;
        let mut tree = DomTree { pre: SecondaryMap::with_default(NONE), post: SecondaryMap::with_default(NONE) };
        let Some(entry) = body.first_block(r) else { return tree };
        // Reverse post-order by an explicit DFS.
        let mut rpo_num: SecondaryMap<Block, u32> = SecondaryMap::with_default(NONE);
        let mut visited: SecondaryMap<Block, bool> = SecondaryMap::new();
        let mut post: Vec<Block> = Vec::new();
        let mut stack: Vec<(Block, Vec<Block>)> = vec![(entry, successors(body, entry).collect())];
        visited[entry] = true;
        while let Some((b, succs)) = stack.last_mut() {
            if let Some(s) = succs.pop() {
                if body.region_of(s) == Some(r) && !visited[s] {
                    visited[s] = true;
                    let ss = successors(body, s).collect();
                    stack.push((s, ss));
                }
            } else {
                post.push(*b);
                stack.pop();
            }
        }
        let rpo: Vec<Block> = post.iter().rev().copied().collect();
        for (i, &b) in rpo.iter().enumerate() {
            rpo_num[b] = i as u32;
        }
        // Predecessors among reachable blocks.
        let mut preds: SecondaryMap<Block, Vec<Block>> = SecondaryMap::new();
        for &b in &rpo {
            for s in successors(body, b) {
                if rpo_num[s] != NONE {
                    preds[s].push(b);
                }
            }
        }
        let mut idom: SecondaryMap<Block, u32> = SecondaryMap::with_default(NONE);
        idom[entry] = 0;
        let mut changed = true;
        while changed {
            changed = false;
            for &b in rpo.iter().skip(1) {
                let mut new = NONE;
                for &p in &preds[b] {
                    if idom[p] == NONE {
                        continue;
                    }
                    let pn = rpo_num[p];
                    new = if new == NONE { pn } else { intersect(&rpo, &idom, &rpo_num, new, pn) };
                }
                if new != NONE && idom[b] != new {
                    idom[b] = new;
                    changed = true;
                }
            }
        }
        // Children lists, then pre/post numbering of the tree.
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); rpo.len()];
        for (i, &b) in rpo.iter().enumerate().skip(1) {
            if idom[b] != NONE {
                children[idom[b] as usize].push(i as u32);
            }
        }
        let (mut pre_c, mut post_c) = (0u32, 0u32);
        let mut st: Vec<(u32, usize)> = vec![(0, 0)];
        tree.pre[rpo[0]] = pre_c;
        pre_c += 1;
        while let Some((n, i)) = st.last_mut() {
            if let Some(&c) = children[*n as usize].get(*i) {
                *i += 1;
                tree.pre[rpo[c as usize]] = pre_c;
                pre_c += 1;
                st.push((c, 0));
            } else {
                tree.post[rpo[*n as usize]] = post_c;
                post_c += 1;
                st.pop();
            }
        }
        tree
    }

    /// Whether `a` dominates `b`. Every block dominates an unreachable block.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        if self.pre[b] == u32::MAX {
            return true;
        }
        if self.pre[a] == u32::MAX {
            return false;
        }
        self.pre[a] <= self.pre[b] && self.post[b] <= self.post[a]
    }
}

fn intersect(rpo: &[Block], idom: &SecondaryMap<Block, u32>, _rpo_num: &SecondaryMap<Block, u32>, mut a: u32, mut b: u32) -> u32 {
    while a != b {
        while a > b {
            a = idom[rpo[a as usize]];
        }
        while b > a {
            b = idom[rpo[b as usize]];
        }
    }
    a
}
