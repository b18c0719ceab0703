use super::*;

#[test]
fn waits_in_order_then_gives_up() {
    const TABLE: Backoff = Backoff::new(&[Duration::from_secs(1), Duration::from_secs(5)]);
    assert_eq!(TABLE.after(0), Some(Duration::from_secs(1)));
    assert_eq!(TABLE.after(1), Some(Duration::from_secs(1)));
    assert_eq!(TABLE.after(2), Some(Duration::from_secs(5)));
    assert_eq!(TABLE.after(3), None);
    assert_eq!(TABLE.tries(), 3);
    assert_eq!(TABLE.total(), Duration::from_secs(6));
}
