<?php
// PHP-FPM peer: GET answers {"message":"Hello, World!"}; POST parses the JSON body and answers 201;
// GET .../slow?ms=N waits N milliseconds first, holding its FPM child all the while.
header('Content-Type: application/json');
if (str_ends_with(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH), '/slow')) {
    $ms = intval($_GET['ms'] ?? 0);
    usleep($ms * 1000);
    echo json_encode(['slept' => $ms]);
} elseif ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $body = json_decode(file_get_contents('php://input'), true);
    http_response_code(201);
    echo json_encode(['received' => $body]);
} else {
    echo json_encode(['message' => 'Hello, World!']);
}
