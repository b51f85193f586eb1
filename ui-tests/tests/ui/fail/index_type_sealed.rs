// `IndexType` is sealed: a lying implementation could make handles read
// uninitialised slots, so no user type can be an index type, however
// complete its other impls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct MyIndex(u32);

impl TryFrom<usize> for MyIndex {
    type Error = ();
    fn try_from(n: usize) -> Result<Self, ()> {
        u32::try_from(n).map(MyIndex).map_err(drop)
    }
}

impl TryFrom<MyIndex> for usize {
    type Error = ();
    fn try_from(i: MyIndex) -> Result<usize, ()> {
        Ok(i.0 as usize)
    }
}

impl arena_arc::IndexType for MyIndex {}

fn main() {}
