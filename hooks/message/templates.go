package message

import "github.com/gostca/gostca/config"

// defaultTemplates are the notices' texts when hooks.template does not
// name them (Russian, as the subscriber reads them).
var defaultTemplates = map[string]config.NoticeTemplate{
	"application_rejected": {SMS: "Заявление {application} нужно исправить: причины в личном кабинете {cabinet}",
		Subject: "Заявление на сертификат нужно исправить", Body: "Заявление {application} возвращено на исправление. Причины указаны в личном кабинете: {cabinet}"},
	"ready_to_issue": {SMS: "Сертификат по заявлению {application} готов к выпуску: {cabinet}",
		Subject: "Сертификат готов к выпуску", Body: "Сертификат по заявлению {application} готов к выпуску. Выпустите его в личном кабинете: {cabinet}"},
	"certificate_issued": {SMS: "Сертификат {serial} выпущен", Subject: "Сертификат выпущен",
		Body: "Сертификат {serial} по заявлению {application} выпущен."},
	"application_cancelled": {SMS: "Заявление {application} отменено", Subject: "Заявление отменено", Body: "Заявление {application} отменено."},
	"application_expired":   {SMS: "Срок заявления {application} истёк", Subject: "Срок заявления истёк", Body: "Срок заявления {application} истёк."},
	"confirmation_code":     {SMS: "Код подтверждения: {code}. Никому его не сообщайте."},
	"renewal": {Subject: "Срок действия сертификата истекает через {days} дн.",
		Body: "Сертификат {serial} действует до {not_after}. Подайте заявление на новый: {cabinet}"},

	// A subscriber's status request (package cabinet).
	"status_request_received": {SMS: "Запрос по сертификату {serial} принят и ждёт решения УЦ"},
	"status_request_approved": {SMS: "Запрос по сертификату {serial} исполнен"},
	"status_request_rejected": {SMS: "Запрос по сертификату {serial} отклонён: причина в личном кабинете {cabinet}"},
}
