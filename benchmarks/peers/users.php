<?php
// PHP-FPM peer for the users example on PostgreSQL: PDO pgsql with a persistent connection per child,
// on the table the example's migrations make. The DSN comes from nginx (fastcgi_param PDO_DSN).
//   GET  .../users/ID  one SELECT by primary key: 200 with the user as JSON, 404 when there is none
//   POST .../users     {"name", "email"}: one INSERT ... RETURNING, 201, 400 or 409
header('Content-Type: application/json');
$db = new PDO($_SERVER['PDO_DSN'], 'postgres', null, [
    PDO::ATTR_PERSISTENT => true,
    PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
]);
$row = fn ($r) => ['id' => (int) $r['id'], 'name' => $r['name'], 'email' => $r['email'], 'createdAt' => $r['created_at']];
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $input = json_decode(file_get_contents('php://input'), true);
    if (!is_array($input) || empty($input['name']) || empty($input['email'])) {
        http_response_code(400);
        echo json_encode(['error' => 'name and email are required']);
        return;
    }
    try {
        $insert = $db->prepare('INSERT INTO users (name, email) VALUES (?, ?) RETURNING id, name, email, created_at');
        $insert->execute([$input['name'], $input['email']]);
    } catch (PDOException $e) {
        http_response_code($e->getCode() === '23505' ? 409 : 500);
        echo json_encode(['error' => $e->getCode() === '23505' ? 'A user with this email already exists' : $e->getMessage()]);
        return;
    }
    $user = $row($insert->fetch(PDO::FETCH_ASSOC));
    http_response_code(201);
    header('Location: /users/' . $user['id']);
    echo json_encode($user);
    return;
}
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$id = substr($path, strrpos($path, '/') + 1);
if (!ctype_digit($id)) {
    http_response_code(400);
    echo json_encode(['error' => 'id must be a whole number']);
    return;
}
$select = $db->prepare('SELECT id, name, email, created_at FROM users WHERE id = ?');
$select->execute([(int) $id]);
$found = $select->fetch(PDO::FETCH_ASSOC);
if ($found === false) {
    http_response_code(404);
    echo json_encode(['error' => 'User not found']);
    return;
}
echo json_encode($row($found));
