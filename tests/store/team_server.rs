//! The throwaway PostgreSQL server the team-mode tests stand on
//! (`tests/fixtures/pg.rs`): it starts from the installed binaries, answers
//! on its own socket, and two at once never meet.

use crate::fixtures::pg::{SUPERUSER, TestServer};

#[test]
fn two_throwaway_servers_start_answer_and_keep_apart() {
    let Some(first) = TestServer::start() else {
        return;
    };
    let second = TestServer::start().expect("a second server, as the first started");
    assert_ne!(first.socket_dir(), second.socket_dir());

    let mut a = postgres::Client::connect(&first.create_database("desk"), postgres::NoTls)
        .expect("connect to the first server");
    a.batch_execute("CREATE TABLE only_here (n int); INSERT INTO only_here VALUES (7);")
        .unwrap();
    let version: i32 = a
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .unwrap()
        .get(0);
    assert!(version >= 150000, "PostgreSQL 15 or newer, found {version}");
    let user: String = a
        .query_one("SELECT session_user::text", &[])
        .unwrap()
        .get(0);
    assert_eq!(user, SUPERUSER);

    let mut b = postgres::Client::connect(&second.create_database("desk"), postgres::NoTls)
        .expect("connect to the second server");
    let tables: i64 = b
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "the second server sees the first one's table");
}
