<?php
// PHP-FPM peer: GET answers {"message":"Hello, World!"}; POST parses the JSON body and answers 201.
header('Content-Type: application/json');
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $body = json_decode(file_get_contents('php://input'), true);
    http_response_code(201);
    echo json_encode(['received' => $body]);
} else {
    echo json_encode(['message' => 'Hello, World!']);
}
