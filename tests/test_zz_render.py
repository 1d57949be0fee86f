import shutil
from handlers.i18n import Tr
from handlers.office import pdfs
from tests.test_repair_form import a_job_fixed_on_the_second_visit
from workflow import views

async def test_render(desk, tmp_path):
    await a_job_fixed_on_the_second_visit(desk)
    file = await views.ticket_by_ref(desk.db, "R-2026-00001")
    for language in ("zh_Hant", "zh_Hans", "en"):
        pdf = tmp_path / f"form-{language}.pdf"
        pdfs.form_pdf(Tr(language, desk.settings.tz), desk.settings, file, pdf)
        shutil.copy(pdf, f"/tmp/form_explore/form-{language}.pdf")
