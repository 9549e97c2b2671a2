use herald::prelude::*;

#[derive(Choice)]
enum Shape {
    Circle(f64),
    Square { side: f64 },
    Point,
}

#[derive(Choice)]
enum Nothing {}

fn main() {}
