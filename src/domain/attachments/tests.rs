use super::*;

#[test]
fn four_images_in_all() {
    assert!(check_count(0, MAX_ATTACHMENTS).is_ok());
    assert!(check_count(MAX_ATTACHMENTS, 0).is_ok());
    for (existing, added) in [(0, 5), (3, 2), (MAX_ATTACHMENTS, 1), (usize::MAX, 1)] {
        let error = check_count(existing, added).unwrap_err();
        assert_eq!(error.status, 422, "{existing} + {added}");
    }
}
